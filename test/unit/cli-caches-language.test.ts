// `iios caches` and `iios offline` speak the terminal's language (LC_ALL over LC_MESSAGES over LANG), as the other
// commands do: the build's progress and summary, the list, a refused update, the offline wiring and its undo,
// in German under a German locale (sizes too: 5,0 kB) and as before under C; and the cache lines of
// `iios inspect` and of `iios caches update` (worked out without a stick here: the words, not the stick).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { changeLine, wroteLine } from '../../src-main/cli/commands/caches-update.ts';
import { describeStick } from '../../src-main/cli/commands/inspect.ts';
import type { StickInfo } from '../../src-main/services/stick/stick-reader.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { REPO } from '../support/iios-cli.ts';

let work: string;
let setFile: string;

/** The command as a user runs it, with only the language variables given here (and the library in `work`). */
async function iiosIn(lang: Record<string, string>, args: string[]) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(LANG|LANGUAGE|LC_.*)$/.test(k)));
  const env = { ...clean, ...lang, IIOS_CACHES_DIR: join(work, 'library'), XDG_CONFIG_HOME: join(work, 'config') };
  const r = await execa(process.execPath, [join(REPO, 'src-main/cli/iios.mjs'), ...args], { reject: false, stdin: 'ignore', env, extendEnv: false });
  return { code: r.exitCode, out: String(r.stdout), err: String(r.stderr) };
}
const GERMAN = { LANG: 'de_DE.UTF-8' };
const C = { LANG: 'de_DE.UTF-8', LC_ALL: 'C' };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-cli-caches-lang-'));
  await mkdir(join(work, 'handouts'));
  await writeFile(join(work, 'handouts', 'sheet.txt'), 'x'.repeat(5000));
  setFile = join(work, 'lab.yaml');
  await writeFile(setFile, `format: 1\nid: lab\ntitle: Lab\ncaches:\n  files: { path: ${join(work, 'handouts')} }\n`);
}, 120_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});
afterEach(() => setLocale('en'));

describe('iios caches in the terminal\'s language', () => {
  it('builds with German progress and summary, and with the English ones under C', async () => {
    const de = await iiosIn(GERMAN, ['caches', 'build', setFile]);
    expect(de.code, de.err).toBe(0);
    expect(de.err).toContain(`Cache-Set lab (${setFile}) wird in ${join(work, 'library', 'lab')} gebaut`);
    expect(de.err).toMatch(/^\[files\] 100 % \S/m);
    expect(de.err).not.toMatch(/building|\d%/);
    expect(de.out).toMatch(/^Art\s+Einträge\s+neu\s+Größe\s+Dauer\n/);
    expect(de.out).toMatch(/^files\s+1\s+1\s+5,0 kB\s+\d+,\d s$/m);
    expect(de.out).toMatch(/^files, neu: sheet\.txt$/m);

    const en = await iiosIn(C, ['caches', 'build', setFile]);
    expect(en.code, en.err).toBe(0);
    expect(en.err).toContain(`building cache set lab (${setFile}) into ${join(work, 'library', 'lab')}`);
    expect(en.err).toMatch(/^\[files\] 100% \S/m);
    expect(en.out).toMatch(/^kind\s+items\s+new\s+size\s+time\n/);
    expect(en.out).toMatch(/^files\s+1\s+0\s+5\.0 kB\s+\d+\.\d s$/m);
  }, 180_000);

  it('lists the library and refuses a bad --kind and an update of a disk that is not an iios stick, in German', async () => {
    // the sets in ~/.config/iios/cache-sets: the one built above, and one never built
    await mkdir(join(work, 'config', 'iios', 'cache-sets'), { recursive: true });
    await writeFile(join(work, 'config', 'iios', 'cache-sets', 'lab.yaml'), `format: 1\nid: lab\ntitle: Lab\ncaches:\n  files: { path: ${join(work, 'handouts')} }\n`);
    await writeFile(join(work, 'config', 'iios', 'cache-sets', 'new.yaml'), `format: 1\nid: new\ntitle: New\ncaches:\n  files: { path: ${join(work, 'handouts')} }\n`);
    const list = await iiosIn(GERMAN, ['caches', 'list']);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(/^Set\s+Art\s+Größe\s+gebaut\n/);
    expect(list.out).toMatch(/^lab\s+files\s+5,0 kB\s+\d{4}-\d\d-\d\dT/m);
    expect(list.out).toMatch(/^new\s+files\s+-\s+nie$/m);
    const kind = await iiosIn(GERMAN, ['caches', 'build', setFile, '--kind', 'nosuch']);
    expect(kind.code).toBe(2);
    expect(kind.err).toMatch(/^iios: --kind nosuch: keine Cache-Art \(apt, /);
    const blank = join(work, 'blank.img');
    await writeFile(blank, Buffer.alloc(1024 * 1024));
    const update = await iiosIn(GERMAN, ['caches', 'update', blank, '--cache-set', setFile, '--yes']);
    expect(update.code).toBe(1);
    expect(update.err).toContain(`${blank} ist kein Stick, den iios gemacht hat (`);
  }, 120_000);

  it('says what an update found and wrote, kind by kind, in German', () => {
    setLocale('de');
    const ref = { kind: 'files' as const, path: '/lib/lab/files', set: 'lab', builtAt: '2026-12-03T10:00:00Z', manifestSha256: 'a'.repeat(64) };
    const onStick = { kind: 'files', files: 1, sizeBytes: 5000, manifestSha256: 'b'.repeat(64), set: 'lab', builtAt: '2026-12-01T10:00:00Z' };
    expect(changeLine({ kind: 'files', ref, onStick })).toBe('files: Der Stick hat 1 Datei (5,0 kB), gebaut 2026-12-01T10:00:00Z; Bau der Bibliothek 2026-12-03T10:00:00Z');
    expect(changeLine({ kind: 'apt', ref, onStick: null })).toBe('apt: nicht auf dem Stick; Bau der Bibliothek 2026-12-03T10:00:00Z');
    expect(wroteLine({ kind: 'apt', filesWritten: 5, bytesWritten: 12_345, filesDeleted: 0, seconds: 1.25 })).toBe('apt: 5 Dateien geschrieben (12,3 kB), 0 entfernt, 1,3 s');
    setLocale('en');
    expect(changeLine({ kind: 'files', ref, onStick: { ...onStick, files: 2, builtAt: undefined } })).toBe('files: stick has 2 files (5.0 kB); library build 2026-12-03T10:00:00Z');
  });

  it('lists a stick\'s caches in iios inspect in German', () => {
    setLocale('de');
    const info = {
      path: '/tmp/x.img',
      kind: 'image-file',
      sizeBytes: 2e9,
      layout: { label: 'gpt', sectorSize: 512, partitions: [] },
      layoutError: null,
      esp: null,
      stampError: null,
      complete: true,
      stamp: {
        format: 1, complete: true, hostname: 'lab-01', profile: 'appliance', diskBytes: 2e9, sectorSize: 512, slots: {}, payload: [], espFiles: {},
        caches: [{ kind: 'files', files: 1, sizeBytes: 5000, manifestSha256: 'a'.repeat(64), set: 'lab', builtAt: '2026-12-03T10:00:00Z' }, { kind: 'apt', files: 46, sizeBytes: 13_100_000, manifestSha256: 'b'.repeat(64) }],
      },
    } as unknown as StickInfo;
    const text = describeStick(info);
    expect(text).toContain('Caches: files (1 Datei, 5,0 kB), apt (46 Dateien, 13,1 MB)');
    expect(text).toMatch(/^Cache\s+Set\s+Dateien\s+Größe\s+gebaut\nfiles\s+lab\s+1\s+5,0 kB\s+2026-12-03T10:00:00Z\napt\s+-\s+46\s+13,1 MB\s+-$/m);
  });
});

describe('iios offline in the terminal\'s language', () => {
  it('prints, wires in, refuses and undoes in German', async () => {
    const stick = join(work, 'stick');
    await mkdir(join(stick, '@caches', 'apt'), { recursive: true });
    await mkdir(join(stick, '@caches', 'brew'), { recursive: true });
    const root = join(work, 'root');
    await mkdir(root);
    const printed = await iiosIn(GERMAN, ['offline', '--stick', stick, '--root', root, '--print']);
    expect(printed.code, printed.err).toBe(0);
    expect(printed.out).toContain(`# apt-Quelle für die Pakete des Sticks (${join(stick, '@caches', 'apt')}), danach apt-get update ausführen`);
    expect(printed.out).toContain(`schreibe ${join(root, 'etc/apt/sources.list.d/iios-offline.list')}:`);
    const on = await iiosIn(GERMAN, ['offline', '--stick', stick, '--root', root]);
    expect(on.code, on.err).toBe(0);
    expect(on.out).toMatch(new RegExp(`^eingebunden: apt; rückgängig mit iios offline --disable --root ${root}$`, 'm'));
    const brew = await iiosIn(GERMAN, ['offline', '--stick', stick, '--root', root, '--enable', 'brew']);
    expect(brew.err).toContain(`brew muss nicht eingebunden werden: Richten Sie sein Werkzeug auf ${join(stick, '@caches', 'brew')} (HOMEBREW_CACHE=…)`);
    const other = await iiosIn(GERMAN, ['offline', '--stick', work, '--root', root]);
    expect(other.err).toContain(`${work} enthält kein @caches`);
    const off = await iiosIn(GERMAN, ['offline', '--disable', '--root', root]);
    expect(off.code, off.err).toBe(0);
    expect(off.out).toBe(`entfernt: ${join(root, 'etc/apt/sources.list.d/iios-offline.list')}`);
    expect((await iiosIn(GERMAN, ['offline', '--disable', '--root', root])).out).toBe('Nichts rückgängig zu machen: Es sind keine Stick-Caches eingebunden');
    expect((await iiosIn(C, ['offline', '--disable', '--root', root])).out).toBe('nothing to undo: no stick caches are wired in');
  }, 120_000);
});
