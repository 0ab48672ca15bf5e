// The demo OS build says its own progress and stop reasons as typed lines (resources/demo-os/build.sh with
// IIOS_DEMO_EVENTS=1): every say/die of the script names a key the app knows with exactly that key's fields, every
// line and reason reads in German with no English left, a failed build is a typed error said the same way (the
// real script, stopped by a missing tool), and a line that is not one of them stays the tools' own output.
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DemoBuildError, ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { appRoot } from '../../src-main/services/app/app-info.ts';
import { DemoBuildLineSchema, DemoBuildStopSchema, parseDemoBuildLine, type DemoBuildLine, type DemoBuildStop } from '../../src-shared/demo/demo-build-line.ts';
import { demoBuildLineWords, demoBuildStopWords } from '../../src-shared/errors/demo-build-words.ts';
import { errorWords } from '../../src-shared/errors/error-words.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { englishIn } from '../support/untranslated.ts';

afterEach(() => setLocale('en'));

/** The words of a shell command line after `say`/`die`, as bash splits them (quotes kept out, `$x` left as is). */
function shellWords(text: string): string[] {
  const out: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (word !== null) out.push(word);
      word = null;
    } else if (c === ';' || c === '#') break;
    else word = (word ?? '') + c;
  }
  if (word !== null) out.push(word);
  return out;
}

const SCRIPT = readFileSync(join(appRoot(), 'resources', 'demo-os', 'build.sh'), 'utf8');
/** Every `say KEY ENGLISH FIELD…` and `die KEY ENGLISH FIELD…` call of build.sh: its key and field count. */
const CALLS = [...SCRIPT.matchAll(/(?:^|[|&]\s*|^\s+)(say|die) ([a-z-]+) (.*)$/gm)].map((m) => ({ fn: m[1]!, key: m[2]!, fields: shellWords(m[3]!).length - 1, line: m[0].trim() }));

const fieldsOf = (union: typeof DemoBuildLineSchema | typeof DemoBuildStopSchema, key: string) => {
  const o = union.options.find((x) => x.shape.key.value === key);
  return o ? Object.keys(o.shape).length - 1 : null;
};

const LINES: DemoBuildLine[] = [
  { key: 'private-apt', host: 'noble', suite: 'bookworm', dir: '/c/apt' },
  { key: 'apt-update', suite: 'bookworm' },
  { key: 'downloading', name: 'busybox-static', version: '1:1.35.0-4+b3' },
  { key: 'pin-replaced', name: 'busybox-static', version: '1:1.35.0-4+b3', now: 'busybox-static 1:1.35.0-4+b4' },
  { key: 'up-to-date', hash: 'ab12' },
  { key: 'building', hash: 'ab12' },
  { key: 'kernel', release: '6.1.0-56-amd64' },
  { key: 'ready', bytes: 17_300_000, dir: '/c/bundle', rootHash: 'ff00' },
];
const STOPS: DemoBuildStop[] = [
  { key: 'missing-tool', tool: 'mksquashfs' },
  { key: 'no-keyring', suite: 'bookworm' },
  { key: 'no-archive', suite: 'bookworm' },
  { key: 'pin-gone', name: 'linux-image-6.1.0-56-amd64', version: '6.1.148-1' },
  { key: 'no-package', name: 'linux-image-amd64' },
  { key: 'download-failed', name: 'cpio', version: '2.13' },
  { key: 'broken-package', name: 'busybox-static' },
  { key: 'no-kernel', release: '6.1.0-56-amd64' },
  { key: 'no-module', module: 'dm-verity', release: '6.1.0-56-amd64' },
  { key: 'verity-failed' },
  { key: 'over-budget', bytes: 41_000_000, budget: 40_000_000 },
];
/** A typed line as build.sh prints it. */
const printed = (tag: string, o: Record<string, unknown>) => [tag, ...Object.values(o)].join('\t');

describe('the demo OS build says its own lines typed', () => {
  it("every say and die of build.sh names a key the app knows, with that key's fields", () => {
    expect(CALLS.filter((c) => c.fn === 'say').length).toBeGreaterThanOrEqual(8);
    expect(CALLS.filter((c) => c.fn === 'die').length).toBeGreaterThanOrEqual(14);
    for (const c of CALLS) expect({ line: c.line, fields: c.fields }).toEqual({ line: c.line, fields: fieldsOf(c.fn === 'say' ? DemoBuildLineSchema : DemoBuildStopSchema, c.key) });
    // and nothing of the script says an English sentence of its own any more (log/echo … >&2)
    expect(SCRIPT.match(/^\s*log /gm)).toBeNull();
  });

  it('every line and stop reason reads back typed and in German with no English left', () => {
    for (const l of LINES) {
      expect(parseDemoBuildLine(printed('@iios-demo', l))).toEqual({ kind: 'line', line: l });
      setLocale('de');
      const de = demoBuildLineWords(l);
      setLocale('en');
      expect(englishIn([de]), de).toEqual([]);
      expect(de).not.toBe(demoBuildLineWords(l));
    }
    for (const s of STOPS) {
      expect(parseDemoBuildLine(printed('@iios-demo-fail', s))).toEqual({ kind: 'stop', stop: s });
      setLocale('de');
      const de = demoBuildStopWords(s);
      setLocale('en');
      expect(englishIn([de]), de).toEqual([]);
      expect(de).not.toBe(demoBuildStopWords(s));
    }
  });

  it("a line that is not one of them stays the tools' output", () => {
    for (const text of ['Get:1 http://deb.debian.org/debian bookworm InRelease', '@iios-demo\tkernel', '@iios-demo\tkernel\ta\tb', '@iios-demo\tnope\tx', '@iios-demo-fail\tover-budget\tlots\t1', '@iios-demo\tready\t-1\t/d\th']) {
      expect(parseDemoBuildLine(text)).toEqual({ kind: 'tool', text });
    }
  });

  it('the real script stopped by a missing tool is a typed error, said in German with no English left', async () => {
    // a PATH with bash and dirname only (what build.sh needs before its tool check): apt-get is missing
    const bin = mkdtempSync(join(tmpdir(), 'iios-demo-path-'));
    const path = process.env.PATH;
    try {
      symlinkSync('/usr/bin/bash', join(bin, 'bash'));
      symlinkSync('/usr/bin/dirname', join(bin, 'dirname'));
      process.env.PATH = bin;
      const lines: DemoBuildLine[] = [];
      const err = await ensureDemoBundle({ onLine: (l) => lines.push(l) }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DemoBuildError);
      expect((err as DemoBuildError).details).toMatchObject({ kind: 'demo-build', why: 'stopped', stop: { key: 'missing-tool', tool: 'apt-get' }, exitCode: 1 });
      expect(lines).toEqual([]);
      expect((err as Error).message).toBe('building the demo OS failed: the tool apt-get is missing: run test/support/host-deps.sh (or install it), then try again');
      setLocale('de');
      const de = errorWords(err);
      expect(de).toContain('apt-get');
      expect(englishIn([de]), de).toEqual([]);
    } finally {
      process.env.PATH = path;
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
