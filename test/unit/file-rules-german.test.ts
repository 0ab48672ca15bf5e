// The files iios reads (an image profile, a bundle's manifest.json, a cache set) and the reading of them name the
// rule they broke and its values (contract/file-rules.ts) beside the English message, so the GUI and the CLI say a
// malformed file in the reader's language: each rule met by a real malformed file, said in German with no English.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadCacheSet } from '../../src-main/services/caches/load-cache-set.ts';
import { readBundleManifest } from '../../src-main/services/sources/bundles.ts';
import { loadProfile, loadProfileFile } from '../../src-main/services/sources/profiles.ts';
import { parseCacheSet } from '../../src-shared/caches/cache-set.ts';
import { detailsOf, type ErrorDetailsOf, type FieldIssue } from '../../src-shared/contract/error-details.ts';
import { FILE_RULES, type FileRule } from '../../src-shared/contract/file-rules.ts';
import { errorWords } from '../../src-shared/errors/error-words.ts';
import { fieldIssueWords } from '../../src-shared/errors/field-words.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { parseBundleManifest } from '../../src-shared/profile/bundle-manifest.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { SchemaError } from '../../src-shared/profile/schema-errors.ts';
import { REPO } from '../support/iios-cli.ts';
import { englishIn } from '../support/untranslated.ts';
import { demoManifest } from './wizard/support/fake-services.ts';

afterEach(() => setLocale('en'));

const dir = mkdtempSync(join(tmpdir(), 'iios-file-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROFILES = join(REPO, 'resources/profiles');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;
/** A built-in profile as the YAML reader gives it, to be broken in one place. */
const profileObject = (id: string): Loose => parse(readFileSync(join(PROFILES, `${id}.yaml`), 'utf8')) as Loose;

/** The issues a file was refused with (the file parsed must fail), as its error's details carry them. */
async function refusal(read: () => unknown): Promise<FieldIssue[]> {
  try {
    await read();
  } catch (err) {
    const details = detailsOf(err);
    expect(details?.kind, String(err)).toBe('invalid');
    if (err instanceof SchemaError) expect(details).toEqual(err.details);
    return (details as ErrorDetailsOf<'invalid'>).issues;
  }
  throw new Error('the file was accepted');
}

/** A built-in profile with one change, written out as YAML and read back (id: its file name). */
function brokenProfile(id: string, change: (p: Loose) => void): () => unknown {
  const p = profileObject(id);
  change(p);
  return () => parseImageProfile(stringify(p), `${id}.yaml`);
}
const part = (p: Loose, role: string): Loose => (p.partitions as Loose[]).find((x) => x.role === role)!;
const dataBtrfs = (p: Loose, btrfs: Loose) => Object.assign(part(p, 'data'), { btrfs });

function brokenManifest(change: (m: Loose) => void): () => unknown {
  const m = structuredClone(demoManifest) as Loose;
  change(m);
  return () => parseBundleManifest(JSON.stringify(m), join(dir, 'manifest.json'));
}

const cacheSet = (text: string) => () => parseCacheSet(text, join(dir, 'lab.yaml'));

/** A file of the given name and text in the test's folder, its path. */
function file(name: string, text = ''): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Each rule (some twice: both of the forms its words take), met by a real file that breaks it. */
const BROKEN: [FileRule, string, () => unknown][] = [
  ['not-yaml-file', 'a .txt given as a profile', () => loadProfileFile(file('notes.txt', 'id: x'))],
  ['no-such-file', 'a profile path with no file', () => loadProfileFile(join(dir, 'gone.yaml'))],
  ['unreadable', 'a path through a file (ENOTDIR)', () => loadProfileFile(join(file('plain'), 'x.yaml'))],
  ['unreadable', 'a symbolic link to itself (ELOOP)', () => {
    rmSync(join(dir, 'loop.yaml'), { force: true });
    symlinkSync('loop.yaml', join(dir, 'loop.yaml'));
    return loadProfileFile(join(dir, 'loop.yaml'));
  }],
  ['wrong-file-kind', 'a folder named .yaml', () => {
    mkdirSync(join(dir, 'folder.yaml'), { recursive: true });
    return loadProfileFile(join(dir, 'folder.yaml'));
  }],
  ['unknown-profile', 'an id no built-in profile has', () => loadProfile('classrooom', PROFILES)],
  ['not-yaml', 'an unclosed list', () => parseImageProfile('format: 1\npartitions: [esp, system\n', 'broken.yaml')],
  ['yaml-mapping', 'a profile that is a list', () => parseImageProfile('- esp\n- system\n', 'list.yaml')],
  ['yaml-mapping', 'a cache set that is a text', cacheSet('just words\n')],
  ['not-yaml', 'a cache set with a key twice', cacheSet('format: 1\nid: lab\nid: lab\n')],
  ['not-json', 'a manifest cut short', () => parseBundleManifest('{"format": 1, "name": ', 'manifest.json')],
  ['json-object', 'a manifest that is a list', () => parseBundleManifest('[1, 2]', 'manifest.json')],
  ['keys-not-shown', 'lines that are no field names', () => parseImageProfile('format: 1\n"user0:$6$x": 1\n"a b": 2\n', 'secrets.yaml')],
  ['keys-not-shown', 'a partition with a key that is no field name', brokenProfile('kiosk', (p) => (p.partitions[0]['user0:$6$x'] = 1))],
  ['id-not-file-name', 'a built-in profile renamed', () => parseImageProfile(readFileSync(join(PROFILES, 'kiosk.yaml'), 'utf8'), 'kiosk.yaml', 'kiosk-2')],
  ['profile-id', 'an id in capitals', brokenProfile('kiosk', (p) => (p.id = 'Kiosk_2'))],
  ['single-line', 'a description of two lines', brokenProfile('kiosk', (p) => (p.description = 'one\ntwo'))],
  ['size-text', 'a size that is a word', brokenProfile('appliance', (p) => (part(p, 'esp').size = 'big'))],
  ['size-decimal', 'a size in decimal units', brokenProfile('appliance', (p) => (part(p, 'esp').size = '512MB'))],
  ['subvolume-name', 'a subvolume without @', brokenProfile('appliance', (p) => dataBtrfs(p, { subvolumes: ['home'] }))],
  ['snapshot-path', 'a snapshot path without a folder', brokenProfile('classroom', (p) => (part(p, 'system').btrfs.snapshots[0].path = 'factory'))],
  ['role-twice', 'two esp partitions', brokenProfile('appliance', (p) => p.partitions.splice(1, 0, { role: 'esp', size: '256MiB' }))],
  ['mode-needs-role', 'an A/B profile without esp', brokenProfile('appliance', (p) => p.partitions.shift())],
  ['mode-forbids-role', 'an A/B profile with a system partition', brokenProfile('appliance', (p) => p.partitions.splice(1, 0, { role: 'system', size: '1GiB' }))],
  ['slot-b-pair', 'slot B without its verity partition', brokenProfile('appliance', (p) => (p.partitions = p.partitions.filter((x: Loose) => x.role !== 'verity-b')))],
  ['raw-needs-section', 'a raw profile without raw', brokenProfile('raw', (p) => delete p.raw)],
  ['raw-section-only', 'an A/B profile with raw', brokenProfile('appliance', (p) => (p.raw = {}))],
  ['grow-not-last', 'a growing partition before others', brokenProfile('appliance', (p) => p.partitions.splice(1, 0, p.partitions.pop()))],
  ['grow-role', 'a growing esp', brokenProfile('appliance', (p) => (part(p, 'esp').size = 'grow'))],
  ['fit-role', 'an esp sized by the bundle', brokenProfile('appliance', (p) => (part(p, 'esp').size = 'fit + 10%'))],
  ['min-size-not-growing', 'a minSize on a fixed esp', brokenProfile('appliance', (p) => (part(p, 'esp').minSize = '256MiB'))],
  ['min-size-grow', 'a minSize of grow', brokenProfile('appliance', (p) => (part(p, 'data').minSize = 'grow'))],
  ['min-size-fit-role', 'a data minSize sized by the bundle', brokenProfile('appliance', (p) => (part(p, 'data').minSize = 'fit'))],
  ['preferred-size-role', 'a preferredSize on esp', brokenProfile('appliance', (p) => (part(p, 'esp').preferredSize = '1GiB'))],
  ['absolute-size', 'a preferredSize sized by the bundle', brokenProfile('appliance', (p) => (part(p, 'root-a').preferredSize = part(p, 'root-b').preferredSize = 'fit + 50%'))],
  ['absolute-or-grow', 'a persistence sized by the bundle', brokenProfile('raw', (p) => (p.raw.persistence.size = 'fit'))],
  ['filesystem-from-bundle', 'a filesystem on a root slot', brokenProfile('appliance', (p) => (part(p, 'root-a').filesystem = 'ext4'))],
  ['filesystem-not-allowed', 'an ext4 esp', brokenProfile('appliance', (p) => (part(p, 'esp').filesystem = 'ext4'))],
  ['subvolumes-need-btrfs', 'subvolumes on ext4', brokenProfile('appliance', (p) => (part(p, 'data').filesystem = 'ext4'))],
  ['subvolumes-need-btrfs', 'subvolumes on a root slot', brokenProfile('appliance', (p) => (part(p, 'root-a').btrfs = { subvolumes: ['@'] }))],
  ['slot-b-size', 'slot B larger than slot A', brokenProfile('appliance', (p) => (part(p, 'root-b').size = 'fit + 30%'))],
  ['slot-b-preferred', 'slot B preferring more', brokenProfile('appliance', (p) => (part(p, 'root-b').preferredSize = '2GiB'))],
  ['slot-b-preferred', 'slot B preferring a size slot A does not', brokenProfile('appliance', (p) => delete part(p, 'root-a').preferredSize)],
  ['subvolume-twice', 'a subvolume listed twice', brokenProfile('appliance', (p) => dataBtrfs(p, { subvolumes: ['@home', '@home'] }))],
  ['snapshot-source', 'a snapshot of no subvolume', brokenProfile('classroom', (p) => (part(p, 'system').btrfs.snapshots[0].source = '@var'))],
  ['snapshot-outside', 'a snapshot outside the subvolumes', brokenProfile('classroom', (p) => (part(p, 'system').btrfs.snapshots[0].path = '@old/factory'))],
  ['snapshot-twice', 'a snapshot path twice', brokenProfile('classroom', (p) => part(p, 'system').btrfs.snapshots.push({ source: '@home', path: '@snapshots/factory' }))],
  ['hex', 'a salt that is no hex', brokenManifest((m) => (m.verity.salt = 'salty'))],
  ['hex', 'a root hash cut short', brokenManifest((m) => (m.verity.rootHash = 'ab12'))],
  ['bundle-path', 'a kernel outside the bundle', brokenManifest((m) => (m.kernel = '../vmlinuz'))],
  ['bundle-path', 'a listed file outside the bundle', brokenManifest((m) => (m.files['../vmlinuz'] = m.files.vmlinuz))],
  ['block-size', 'a block size of 1000', brokenManifest((m) => (m.verity.dataBlockSize = 1000))],
  ['bundle-name', 'a bundle name with a space', brokenManifest((m) => (m.name = 'my os'))],
  ['not-listed', 'a kernel not in files', brokenManifest((m) => (m.kernel = 'vmlinuz-6.12'))],
  ['size-differs', 'a root image of another size', brokenManifest((m) => (m.rootfs.sizeBytes = 1000))],
  ['cache-set-id', 'a cache set id with a space', cacheSet('format: 1\nid: Lab 1\ntitle: Lab\ncaches:\n  squid:\n    urls: [http://deb.debian.org/]\n')],
  ['no-cache', 'a cache set without caches', cacheSet('format: 1\nid: lab\ntitle: Lab\ncaches: {}\n')],
  ['unknown-cache-set', 'a name no kept set has', () => {
    mkdirSync(join(dir, 'sets'), { recursive: true });
    writeFileSync(join(dir, 'sets', 'class.yaml'), 'format: 1\nid: class\ntitle: Class\ncaches:\n  squid:\n    urls: [http://deb.debian.org/]\n');
    return loadCacheSet('nope', dir, join(dir, 'sets'));
  }],
  ['unknown-cache-set', 'a name, and no set kept yet', () => loadCacheSet('nope', dir, join(dir, 'no-sets'))],
];

/**
 * Paths and field paths are data, the same in every language: the path a sentence starts with ("name: …"), and
 * "files", the manifest's field and a cache kind, wherever it is named.
 */
const wordsOnly = (text: string) =>
  text
    .replace(/\/[^\s,;:)“"]*/g, '…')
    .replace(/\b[\w[\]]+\.[\w.[\]]+\b/g, '…')
    .replace(/^[\w[\].]+: /, '…: ')
    .replace(/\bfiles\b/g, '…');

describe('a malformed file, in the reader’s language', () => {
  it('the table meets every rule', () => expect(new Set(BROKEN.map(([r]) => r))).toEqual(new Set(FILE_RULES)));

  it.each(BROKEN)('%s (%s): typed by the reader, said in German with no English left', async (rule, _, read) => {
    const issues = await refusal(read);
    const issue = issues.find((i) => i.said?.code === 'rule' && i.said.rule === rule);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    setLocale('de');
    const text = fieldIssueWords(issue!);
    expect(text).not.toContain('⟦');
    expect(englishIn([wordsOnly(text)]), text).toEqual([]);
    setLocale('en');
    expect(fieldIssueWords(issue!)).not.toBe(text);
  });

  it('every issue of every file above is typed, so the whole refusal is said (not its English message)', async () => {
    for (const [rule, what, read] of BROKEN) {
      const untyped = (await refusal(read)).filter((i) => !i.said || i.said.code === 'custom');
      expect(untyped, `${rule} (${what})`).toEqual([]);
    }
  });
});

describe('where a malformed file is shown', () => {
  it('the CLI and the GUI say a refused profile file in German (errorWords)', async () => {
    const path = file('lab.yaml', stringify({ ...profileObject('appliance'), id: 'lab', mode: 'writable' }));
    const err = await loadProfileFile(path).then(() => null, (e: unknown) => e);
    setLocale('de');
    const text = errorWords(err);
    expect(text).toContain('ein Profil im Modus writable braucht eine Partition „system“.');
    expect(englishIn([wordsOnly(text)]), text).toEqual([]);
  });

  it('`iios caches` with a name no set has: the English message as it was, the German said from its rule', async () => {
    const sets = join(dir, 'kept-sets');
    mkdirSync(sets, { recursive: true });
    writeFileSync(join(sets, 'class.yaml'), 'format: 1\nid: class\ntitle: Class\ncaches:\n  squid:\n    urls: [http://deb.debian.org/]\n');
    const err = await loadCacheSet('nope', dir, sets).then(() => null, (e: unknown) => e);
    expect((err as Error).message).toBe(`no cache set nope: give the path of a cache-set YAML file, or the id of a set in ${sets} (there: class)`);
    setLocale('de');
    const text = errorWords(err);
    expect(text).toBe(`nope: Einen solchen Cache-Satz gibt es nicht: geben Sie den Pfad einer Cache-Satz-Datei (YAML) an oder die Kennung eines Satzes in ${sets} (dort: class).`);
    expect(englishIn([wordsOnly(text)]), text).toEqual([]);
  });

  it('a bundle whose manifest.json breaks its schema: the fields said in German (BundleError)', async () => {
    const bundle = join(dir, 'bundle');
    mkdirSync(bundle);
    writeFileSync(join(bundle, 'manifest.json'), JSON.stringify({ ...demoManifest, rootfs: { ...demoManifest.rootfs, sizeBytes: 1000 } }));
    const err = await readBundleManifest(bundle).then(() => null, (e: unknown) => e);
    expect((err as Error).message).toContain('differs from files["root.squashfs"].sizeBytes (933888)');
    setLocale('de');
    const text = errorWords(err);
    expect(text).toMatch(/^Die manifest\.json des Pakets ist nicht brauchbar: rootfs\.sizeBytes: 1000 weicht von der Größe ab/);
    expect(englishIn([wordsOnly(text)]), text).toEqual([]);
  });
});
