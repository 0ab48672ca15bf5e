// The message catalogue (src-shared/i18n): German has every English key and no other, with the same variables
// and the same plural shape; every key is used somewhere in the code and every key the code names exists;
// the locale comes from the system as each process reads it; a missing key shows itself, never English.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { de } from '../../src-shared/i18n/de.ts';
import { en } from '../../src-shared/i18n/en.ts';
import { localeFromEnv, matchLocale, translate, type Message } from '../../src-shared/i18n/index.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CODE_DIRS = ['src-renderer', 'src-main', 'src-shared', 'helpers'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return p.endsWith(join('src-shared', 'i18n')) ? [] : sourceFiles(p);
    return /\.(ts|tsx|mts)$/.test(e.name) ? [p] : [];
  });
}

const forms = (m: Message): string[] => (typeof m === 'string' ? [m] : Object.values(m).filter((v): v is string => typeof v === 'string'));
const varsOf = (text: string): string[] => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((x) => x[1]!))].sort();
const shapeOf = (m: Message): string => (typeof m === 'string' ? 'text' : 'plural');

describe('catalogues', () => {
  const enKeys = Object.keys(en).sort();
  const deCatalogue = de as Record<string, Message>;
  const enCatalogue = en as Record<string, Message>;

  it('German has every English key, and no key English lacks', () => {
    expect(enKeys.filter((k) => !(k in deCatalogue))).toEqual([]);
    expect(Object.keys(deCatalogue).filter((k) => !(k in enCatalogue))).toEqual([]);
  });

  it('each German message takes the same variables, in every form, and has the same shape as the English one', () => {
    const wrong: string[] = [];
    for (const key of enKeys) {
      const e = enCatalogue[key]!;
      const d = deCatalogue[key];
      if (d === undefined) continue;
      if (shapeOf(e) !== shapeOf(d)) wrong.push(`${key}: ${shapeOf(e)} in English, ${shapeOf(d)} in German`);
      const want = varsOf(forms(e).join(' '));
      for (const form of forms(d)) if (varsOf(form).join() !== want.join()) wrong.push(`${key}: German "${form}" should use {${want.join('}, {')}}`);
      if (typeof e !== 'string' && !(e.one && e.other)) wrong.push(`${key}: English needs one and other`);
      if (typeof d !== 'string' && !(d.one && d.other)) wrong.push(`${key}: German needs one and other`);
      if (forms(d).some((f) => f.trim() === '')) wrong.push(`${key}: empty in German`);
    }
    expect(wrong).toEqual([]);
  });

  it('every key is used in the code, and every key the code asks t() for exists', () => {
    const code = CODE_DIRS.flatMap((d) => sourceFiles(join(ROOT, d))).map((f) => readFileSync(f, 'utf8'));
    const all = code.join('\n');
    const unused = enKeys.filter((k) => !all.includes(`'${k}'`) && !all.includes(`"${k}"`));
    expect(unused).toEqual([]);
    const asked = [...all.matchAll(/\bt\(\s*'([\w.-]+)'|<Rich\s+k="([\w.-]+)"/g)].map((m) => (m[1] ?? m[2])!);
    expect(asked.length).toBeGreaterThan(0);
    expect([...new Set(asked)].filter((k) => !(k in enCatalogue))).toEqual([]);
  });
});

describe('translate', () => {
  it('fills variables, writing numbers the locale way, and picks plural forms by Intl.PluralRules', () => {
    expect(translate('en', 'app.version', { version: '1.2.3' })).toBe('version 1.2.3');
    expect(translate('de', 'app.version', { version: '1.2.3' })).toBe('Version 1.2.3');
    const plural = Object.entries(en).find(([, m]) => typeof m !== 'string');
    if (plural) {
      const [key, m] = plural as [string, { one: string; other: string }];
      const vars = Object.fromEntries(varsOf(m.other).map((v) => [v, 'x']));
      expect(translate('en', key, { ...vars, count: 1 })).toBe(m.one.replace(/\{(\w+)\}/g, (_, v: string) => (v === 'count' ? '1' : 'x')));
      expect(translate('en', key, { ...vars, count: 1234 })).toBe(m.other.replace(/\{(\w+)\}/g, (_, v: string) => (v === 'count' ? '1,234' : 'x')));
      expect(translate('de', key, { ...vars, count: 1234 })).toContain('1.234');
    }
  });

  it('shows a missing key as itself, never the English text', () => {
    expect(translate('de', 'no.such.key')).toBe('⟦no.such.key⟧');
  });
});

describe('locale from the system', () => {
  it.each([
    [['de-DE', 'en-US'], 'de'],
    [['de_AT.UTF-8'], 'de'],
    [['fr-FR', 'de'], 'de'],
    [['fr-FR'], 'en'],
    [['en-GB', 'de'], 'en'],
    [[], 'en'],
    [['C'], 'en'],
  ])('browser languages %j → %s', (tags, want) => expect(matchLocale(tags)).toBe(want));

  it.each([
    [{ LANG: 'de_DE.UTF-8' }, 'de'],
    [{ LANG: 'de_DE.UTF-8', LC_MESSAGES: 'en_US.UTF-8' }, 'en'],
    [{ LANG: 'en_US.UTF-8', LC_MESSAGES: 'de_DE.UTF-8' }, 'de'],
    [{ LANG: 'de_DE.UTF-8', LC_ALL: 'C' }, 'en'],
    [{ LANG: 'de_DE.UTF-8', LC_ALL: '' }, 'de'],
    [{ LANG: 'es_ES.UTF-8' }, 'en'],
    [{}, 'en'],
  ])('terminal %j → %s', (env, want) => expect(localeFromEnv(env)).toBe(want));
});

describe('formatting for the locale', () => {
  it('writes sizes, speeds and times the German way under German, the English way otherwise', async () => {
    const { formatBytes, groupDigits } = await import('../../src-shared/format/bytes.ts');
    const { formatSpeed } = await import('../../src-shared/progress/speed.ts');
    const { formatTime } = await import('../../src-shared/format/date-time.ts');
    const { setLocale } = await import('../../src-shared/i18n/index.ts');
    const at = new Date(2026, 11, 2, 13, 31, 43);
    try {
      setLocale('de');
      expect([formatBytes(16e9), formatBytes(512), formatBytes(1e21), groupDigits(4294967296), formatSpeed(38_200_000)]).toEqual([
        '16,0 GB',
        '512 B',
        '1000000 PB',
        '4.294.967.296',
        '38,2 MB/s',
      ]);
      expect(formatTime(at)).toBe('13:31:43');
      setLocale('en');
      expect([formatBytes(16e9), groupDigits(4294967296), formatSpeed(38_200_000)]).toEqual(['16.0 GB', '4,294,967,296', '38.2 MB/s']);
      expect(formatTime(at)).toMatch(/^1:31:43\sPM$/);
    } finally {
      setLocale('en');
    }
  });
});
