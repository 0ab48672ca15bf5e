// Slot states from the stamp and the boot entries' names (systemd-boot's boot counting), as `iios inspect` and
// the update job read them.
import { describe, expect, it } from 'vitest';
import { currentEntryPath, describeSlots, parseEntryName, slotViews } from '../../src-shared/stick/slot-state.ts';

const v = (version: string, state?: 'active' | 'pending' | 'bad') => ({ bundle: 'demo', version, ...(state ? { state } : {}) });

describe('slot states', () => {
  it('reads boot counting from entry names', () => {
    expect(parseEntryName('iios-b+3.conf')).toEqual({ slot: 'b', triesLeft: 3, triesDone: null });
    expect(parseEntryName('iios-b+0-3.conf')).toEqual({ slot: 'b', triesLeft: 0, triesDone: 3 });
    expect(parseEntryName('iios-a.conf')).toEqual({ slot: 'a', triesLeft: null, triesDone: null });
    expect(parseEntryName('other.conf')).toBeNull();
  });

  it('a fresh stick: A active, B its fallback; updates go to B', () => {
    const views = slotViews({ slots: { a: v('1'), b: v('1') } }, ['iios-a.conf', 'iios-b+3.conf'], ['a', 'b']);
    expect(views.map((x) => x.state)).toEqual(['active', 'fallback']);
  });

  it('a pending slot becomes active once blessed, and bad when its tries are used up', () => {
    const stamp = { slots: { a: v('1', 'active'), b: v('2', 'pending') } };
    expect(slotViews(stamp, ['iios-a.conf', 'iios-b+2-1.conf'], ['a', 'b']).map((x) => x.state)).toEqual(['active', 'pending']);
    expect(slotViews(stamp, ['iios-a.conf', 'iios-b.conf'], ['a', 'b']).map((x) => x.state)).toEqual(['fallback', 'active']);
    const bad = slotViews(stamp, ['iios-a.conf', 'iios-b+0-3.conf'], ['a', 'b']);
    expect(bad.map((x) => x.state)).toEqual(['active', 'bad']);
    expect(describeSlots(bad, undefined)).toEqual(['slot B: 2 bad (failed to boot; the stick boots A)']);
  });

  it('an update that did not finish: its slot is incomplete and the other one active', () => {
    const views = slotViews({ slots: { a: v('1') }, update: { slot: 'b', version: '2' } }, ['iios-a.conf'], ['a', 'b']);
    expect(describeSlots(views, { slot: 'b', version: '2' })).toEqual(['update to 2 interrupted: slot B incomplete, A active']);
  });

  it('finds a stamped entry under its counted or blessed name', () => {
    expect(currentEntryPath('/loader/entries/iios-a+3.conf', ['iios-a.conf', 'iios-b+3.conf'])).toBe('/loader/entries/iios-a.conf');
    expect(currentEntryPath('/loader/entries/iios-b+3.conf', ['iios-a.conf', 'iios-b+3.conf'])).toBe('/loader/entries/iios-b+3.conf');
    expect(currentEntryPath('/loader/loader.conf', ['iios-a.conf'])).toBe('/loader/loader.conf');
  });
});
