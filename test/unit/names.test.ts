import { describe, expect, it } from 'vitest';
import { expandName, expandNames, hasCounter, NamePatternError } from '../../src-shared/job/names.ts';

describe('name patterns', () => {
  it.each([
    ['class-{nn}', 1, 'class-01'],
    ['class-{nn}', 9, 'class-09'],
    ['class-{nn}', 30, 'class-30'],
    ['class-{nn}', 100, 'class-100'],
    ['lab{n}', 7, 'lab7'],
    ['pc-{nnn}-x', 12, 'pc-012-x'],
    ['{nn}-{nn}', 3, '03-03'],
    ['kiosk', 1, 'kiosk'],
  ])('%s #%i → %s', (pattern, index, expected) => {
    expect(expandName(pattern, index)).toBe(expected);
  });

  it('expands a class of 30 in order with no repeats', () => {
    const names = expandNames('class-{nn}', 30);
    expect(names[0]).toBe('class-01');
    expect(names[29]).toBe('class-30');
    expect(new Set(names).size).toBe(30);
  });

  it('numbers from a chosen first number', () => {
    expect(expandNames('class-{nn}', 3, 11)).toEqual(['class-11', 'class-12', 'class-13']);
  });

  it('allows a fixed name for one target only', () => {
    expect(expandNames('kiosk', 1)).toEqual(['kiosk']);
    expect(() => expandNames('kiosk', 2)).toThrow(/share one name/);
    expect(hasCounter('kiosk')).toBe(false);
    expect(hasCounter('a{n}')).toBe(true);
  });

  it.each([
    ['Class-{nn}', /not a valid hostname/],
    ['class_{nn}', /not a valid hostname/],
    ['-{nn}', /not a valid hostname/],
    ['class-{x}', /unknown placeholder/],
    ['class-{nn', /unknown placeholder/],
    ['', /not a valid hostname/],
    ['a'.repeat(62) + '{nn}', /not a valid hostname/],
  ])('refuses %j', (pattern, message) => {
    expect(() => expandName(pattern, 1)).toThrow(NamePatternError);
    expect(() => expandName(pattern, 1)).toThrow(message);
  });

  it('refuses target number 0', () => {
    expect(() => expandName('class-{nn}', 0)).toThrow(NamePatternError);
  });
});
