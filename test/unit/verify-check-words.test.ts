// The verify checks' outcomes in the reader's language. Each outcome carries its check and what it found, typed
// (src-shared/verify/check-said.ts), and the GUI and the CLI say that with the catalogue; the English `detail`
// stays for logs and --json. Here: every finding said in German with no English left; a verify run of the shared
// checks (passing and failing) whose every outcome is typed and reads in German; and no place that builds an
// outcome with only an English sentence (a new one without its typed finding fails here).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { judgePayload } from '../../helpers/steps/verify-payload.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import type { CacheFileEntry } from '../../src-shared/profile/cache-manifest.ts';
import { CheckIdSchema, CheckResultSchema, CheckSaidSchema, type CheckId, type CheckSaid } from '../../src-shared/verify/check-said.ts';
import { checkNameWords, checkSaidWords, checkWords } from '../../src-shared/verify/check-words.ts';
import { judgeVerity, runStickChecks, type CacheReadBack, type CheckOutcome, type StickExpect, type StickReader } from '../../src-shared/verify/stick-checks.ts';
import { englishIn } from '../support/untranslated.ts';

afterEach(() => setLocale('en'));

const H1 = 'a1'.repeat(32);
const H2 = 'b2'.repeat(32);
/** A tool's own output or a thrown error: said as the tool said it, inside the translated frame. */
const TOOL = 'TOOL-OUTPUT';
const dataOut = (text: string) =>
  text
    .replaceAll(TOOL, '…')
    .replace(/\b[0-9a-f]{12,}…?/g, '…')
    // the tools' own command lines are names, the same in every language
    .replace(/btrfs check --readonly|e2fsck -fn|sgdisk -v|veritysetup verify/g, '…');

/** One finding of each kind, with the numbers and names a check gives it. */
const SAID: CheckSaid[] = [
  { key: 'slot-match', bytes: 25_165_824 },
  { key: 'slot-differs', slot: 'b', got: H1, want: H2, byte: null, diskByte: null },
  { key: 'slot-differs', slot: 'a', got: H1, want: H2, byte: 4096, diskByte: 1_052_672 },
  { key: 'slot-too-big', slot: 'a', bytes: 600e6, partBytes: 512 * 1024 ** 2 },
  { key: 'verity-ok', rootHash: H1.slice(0, 12) },
  { key: 'verity-fails', slot: 'a', rootHash: H1.slice(0, 12), why: TOOL },
  { key: 'esp-match', files: 8 },
  { key: 'esp-differs', problems: [{ path: '/loader/loader.conf', got: { sha256: H1 }, want: { sha256: H2 } }, { path: '/EFI/BOOT/BOOTX64.EFI', got: null, want: { sha256: H2 } }] },
  { key: 'caches-match', kinds: ['apt', 'flatpak'] },
  {
    key: 'caches-differ',
    problems: [
      { problem: 'missing', kind: 'apt' },
      { problem: 'not-subvolume', kind: 'lab' },
      {
        problem: 'differs',
        kind: 'oci',
        got: { files: 11, sizeBytes: 3_000_000, sha256: H1 },
        want: { files: 12, sizeBytes: 3_145_728, sha256: H2 },
        files: [
          { how: 'missing', path: 'blobs/x' },
          { how: 'extra', path: 'blobs/y' },
          { how: 'link', path: 'current', got: 'v2', want: 'v1' },
          { how: 'link', path: 'latest', got: null, want: 'v1' },
          { how: 'link', path: 'index', got: 'v1', want: null },
          { how: 'content', path: 'index.json', got: { sha256: H1, sizeBytes: 1200 }, want: { sha256: H2, sizeBytes: 1201 } },
        ],
      },
      { problem: 'differs', kind: 'brew', got: { files: 1, sizeBytes: 10, sha256: H1 }, want: { files: 1, sizeBytes: 10, sha256: H2 }, files: [] },
    ],
  },
  { key: 'no-cache-partition' },
  { key: 'payload-match', files: 1 },
  { key: 'payload-differs', problems: [{ path: '/piece.html', got: { sha256: H1, sizeBytes: 50 }, want: { sha256: H2, sizeBytes: 50 } }, { path: '/b.css', got: null, want: { sha256: H2, sizeBytes: 9 } }] },
  { key: 'payload-differs', problems: [{ path: '/piece.html', got: { sha256: H1 }, want: { sha256: H2 } }] },
  { key: 'no-payload' },
  { key: 'no-payload-partition' },
  { key: 'stamp-complete', profile: 'appliance', hostname: 'class-01' },
  { key: 'stamp-incomplete' },
  { key: 'stamp-unreadable', why: TOOL },
  { key: 'stamp-unreadable', why: 'the stamp is not JSON', problem: { reason: 'stamp-not-json', file: '/iios/stamp.json' } },
  { key: 'no-stamp-raw', path: '/dev/sdy' },
  { key: 'gpt-ok' },
  { key: 'gpt-problems', output: TOOL },
  { key: 'fs-clean', tool: 'btrfs' },
  { key: 'fs-clean', tool: 'e2fsck' },
  { key: 'fs-problems', tool: 'btrfs', output: TOOL },
  { key: 'image-match', bytes: 25_165_824, sha256: H1 },
  { key: 'image-match-extended', bytes: 25_165_824, sha256: H1, partition: 'iios-data', differing: 196, regionBytes: 17_408 },
  { key: 'image-short', endsAt: 8_388_608, bytes: 25_165_824 },
  { key: 'image-differs', differing: 1, first: 25_165_823, inTable: 0, stickSha256: H1, imageSha256: H2 },
  { key: 'image-differs', differing: 3, first: 2_097_152, inTable: 16, stickSha256: H1, imageSha256: H2 },
  { key: 'image-table-differs', differing: 16, first: 446, stickSha256: H1, imageSha256: H2 },
  {
    key: 'image-table-changed',
    problems: [{ what: 'no-table' }, { what: 'boot-code' }, { what: 'mbr-signature' }, { what: 'mbr-entry', index: 1 }, { what: 'gpt-entry', index: 2 }],
    stickSha256: H1,
    imageSha256: H2,
  },
  { key: 'error', text: TOOL },
];

const IDS: CheckId[] = [
  { check: 'slot-sha256', slot: 'a' },
  { check: 'slot-verity', slot: 'b' },
  { check: 'esp-files' },
  { check: 'caches' },
  { check: 'payload' },
  { check: 'stamp' },
  { check: 'gpt' },
  { check: 'btrfs', partition: 'iios-data' },
  { check: 'ext4', partition: 'partition 3' },
  { check: 'image-sha256' },
];

describe('every verify finding in the reader’s language', () => {
  it('the tables cover every finding and every check', () => {
    expect(new Set(SAID.map((s) => s.key))).toEqual(new Set(CheckSaidSchema.options.map((o) => o.shape.key.value)));
    expect(new Set(IDS.map((s) => s.check))).toEqual(new Set(CheckIdSchema.options.map((o) => o.shape.check.value)));
  });

  it.each(SAID.map((s) => [s.key, s] as const))('%s: said in German with no English left', (_, said) => {
    CheckSaidSchema.parse(said);
    setLocale('de');
    const text = checkSaidWords(said);
    expect(englishIn([dataOut(text)]), text).toEqual([]);
    setLocale('en');
    expect(checkSaidWords(said)).not.toBe(text);
  });

  it.each(IDS.map((id) => [id.check, id] as const))('the check %s is named in German', (_, id) => {
    setLocale('de');
    const text = checkNameWords(id);
    expect(englishIn([text]), text).toEqual([]);
  });

  it('numbers and sizes are written the reader’s way', () => {
    setLocale('de');
    expect(checkSaidWords({ key: 'slot-match', bytes: 25_165_824 })).toBe('25.165.824 Bytes stimmen überein');
    expect(checkSaidWords({ key: 'slot-too-big', slot: 'a', bytes: 600e6, partBytes: 512 * 1024 ** 2 })).toBe('das Abbild für Slot A (600 MB) ist größer als seine Partition (537 MB)');
    setLocale('en');
    expect(checkSaidWords({ key: 'slot-match', bytes: 25_165_824 })).toBe('25,165,824 bytes match');
  });
});

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const MiB = 1024 ** 2;

/**
 * A stick in memory, read by the shared checks as the helper and `iios verify` read theirs: its bytes hashed, its
 * ESP files and caches looked up; a read of a file named `broken` fails as a tool that cannot read would.
 */
function memoryStick(disk: Buffer, esp: Record<string, Buffer>, caches: Map<string, CacheReadBack | null>, source?: Buffer): StickReader {
  return {
    sha256Range: async (offset, length, onBytes) => {
      onBytes?.(length);
      return sha(disk.subarray(offset, offset + length));
    },
    firstDifference: source
      ? async (offset, length) => {
          for (let i = 0; i < length; i++) if (disk[offset + i] !== source[i]) return i;
          return null;
        }
      : undefined,
    verity: async () => ({ exitCode: 0, stderr: '' }),
    espFileSha256: async (_, path) => {
      if (path === '/broken') throw new Error(`mcopy: ${TOOL}`);
      const f = esp[path];
      return f ? sha(f) : null;
    },
    cacheManifests: async () => caches,
  };
}

function entries(files: Record<string, string>): CacheFileEntry[] {
  return Object.entries(files).map(([path, text]) => ({ path, sizeBytes: text.length, sha256: sha(text) }));
}

/** Two slots, an ESP and two caches; `damage` makes the stick read back wrong in each of them. */
async function verifyRun(damage: boolean, unreadable = false): Promise<CheckOutcome[]> {
  const image = Buffer.alloc(MiB, 7);
  const disk = Buffer.alloc(4 * MiB);
  image.copy(disk, MiB);
  image.copy(disk, 2 * MiB);
  if (damage) disk.writeUInt8(disk.readUInt8(2 * MiB + 4096) ^ 1, 2 * MiB + 4096);
  const written = { '/loader/loader.conf': Buffer.from('timeout 3\n'), '/EFI/BOOT/BOOTX64.EFI': Buffer.from('MZ…') };
  const onStick: Record<string, Buffer> = damage ? { '/loader/loader.conf': Buffer.from('timeout 0\n') } : written;
  const apt = entries({ 'a.deb': 'a', 'b.deb': 'b' });
  const manifest = (e: CacheFileEntry[]) => sha(e.map((f) => `${f.sha256} ${f.sizeBytes} ${f.path}`).join('\n'));
  const aptBack = damage ? entries({ 'a.deb': 'A', 'c.deb': 'c' }) : apt;
  const caches = new Map<string, CacheReadBack | null>([
    ['apt', { sha256: manifest(aptBack), files: aptBack.length, sizeBytes: 2, entries: aptBack, subvolume: true }],
    ['lab', damage ? null : { sha256: manifest([]), files: 0, sizeBytes: 0, entries: [], subvolume: true }],
  ]);
  const expect: StickExpect = {
    slots: ['a', 'b'].map((slot, i) => ({ slot, root: { startBytes: (i + 1) * MiB, sizeBytes: MiB }, verity: null, bytes: MiB, sha256: sha(image), rootHash: null })),
    esp: { startBytes: 0, files: { ...Object.fromEntries(Object.entries(written).map(([p, b]) => [p, sha(b)])), ...(unreadable ? { '/broken': H1 } : {}) } },
    caches: {
      part: { startBytes: 3 * MiB, sizeBytes: MiB },
      list: [
        { kind: 'apt', files: 2, sizeBytes: 2, manifestSha256: manifest(apt), entries: apt },
        { kind: 'lab', files: 0, sizeBytes: 0, manifestSha256: manifest([]), set: 'lab' },
      ],
    },
  };
  return runStickChecks(expect, memoryStick(disk, onStick, caches, image));
}

describe('a verify run of the shared checks in a German reader’s language', () => {
  it.each([
    ['passing', false],
    ['failing in every check', true],
  ] as const)('%s: every outcome typed, said in German with no English left', async (_, damage) => {
    const outcomes = await verifyRun(damage);
    expect(outcomes.map((c) => c.ok)).toEqual(damage ? [true, false, false, false] : [true, true, true, true]);
    setLocale('de');
    for (const c of outcomes) {
      // the typed form is what travels (the helper's verify-failed failure, the CLI's --json)
      expect(CheckResultSchema.parse({ id: c.id, ok: c.ok, said: c.said })).toEqual({ id: c.id, ok: c.ok, said: c.said });
      const text = checkWords(c);
      expect(englishIn([dataOut(text)]), text).toEqual([]);
      expect(text).not.toContain(c.detail);
    }
  });

  it('the failing run names what it found, the German way', async () => {
    const [, slotB, esp, caches] = await verifyRun(true);
    setLocale('de');
    expect(checkWords(slotB!)).toMatch(/^SHA-256 des Slots B: Slot B liest sich mit SHA-256 [0-9a-f]{64} zurück, erwartet war [0-9a-f]{64}; das erste abweichende Byte ist Byte 4\.096 des Slots \(Byte 2\.101\.248 des Datenträgers\)$/);
    expect(checkWords(esp!)).toContain('ESP-Datei /EFI/BOOT/BOOTX64.EFI fehlt');
    expect(checkWords(caches!)).toContain('c.deb wurde nicht geschrieben');
    expect(checkWords(caches!)).toContain('Cache lab: @caches/lab fehlt');
  });

  it('a read that throws is a failed check of its own, its error as the tool said it', async () => {
    const [, , esp] = await verifyRun(false, true);
    // the ESP check read every file before it judged; one that could not be read fails the check with its error
    expect(esp!.said).toEqual({ key: 'error', text: `mcopy: ${TOOL}` });
    expect(esp!.detail).toBe(`esp files: mcopy: ${TOOL}`);
  });

  it('veritysetup’s verdict and the payload’s, typed the same way', () => {
    const slot = { slot: 'a', root: { startBytes: MiB, sizeBytes: MiB }, verity: { startBytes: 2 * MiB, sizeBytes: MiB }, bytes: MiB, sha256: null, rootHash: H1 };
    const outcomes = [
      judgeVerity(slot, H1, 0, ''),
      judgeVerity(slot, H1, 1, `${TOOL}\n`),
      judgePayload([{ path: '/piece.html', sha256: H2, sizeBytes: 50 }], new Map([['/piece.html', { sha256: H1, sizeBytes: 50 }]])),
      judgePayload([{ path: '/piece.html', sha256: H2, sizeBytes: 50 }], new Map([['/piece.html', { sha256: H2, sizeBytes: 50 }]])),
    ];
    setLocale('de');
    for (const c of outcomes) {
      CheckResultSchema.parse({ id: c.id, ok: c.ok, said: c.said });
      const text = checkWords(c);
      expect(englishIn([dataOut(text)]), text).toEqual([]);
    }
  });
});

/** Where check outcomes are built: each `detail:` must sit in an object that also carries its typed `said`. */
const BUILDERS = [
  'src-shared/verify/stick-checks.ts',
  'helpers/steps/verify-payload.ts',
  'src-main/services/stick/stick-verify.ts',
  'src-main/services/stick/stick-stamp-checks.ts',
];

/** The object literal around `at`: from its unmatched `{` to the `}` that closes it. */
function literalAround(text: string, at: number): string {
  let depth = 0;
  let start = at;
  for (; start > 0; start--) {
    const ch = text[start];
    if (ch === '}') depth++;
    else if (ch === '{') {
      if (depth === 0) break;
      depth--;
    }
  }
  let end = start;
  for (depth = 0; end < text.length; end++) {
    if (text[end] === '{') depth++;
    else if (text[end] === '}' && --depth === 0) break;
  }
  return text.slice(start, end + 1);
}

/** Each `detail:` of a check outcome in `text` that has no typed finding beside it. */
function englishOnlyOutcomes(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\bdetail:/g)) {
    const literal = literalAround(text, m.index);
    if (!/\bsaid\b|\.\.\.checkThrew\(/.test(literal)) out.push(literal.replace(/\s+/g, ' ').slice(0, 120));
  }
  return out;
}

describe('no check outcome is built with only an English sentence', () => {
  it('finds one that is (the scan works)', () => {
    expect(englishOnlyOutcomes("return { name: 'gpt', ok: true, detail: 'sgdisk -v: no problems' };")).toHaveLength(1);
    expect(englishOnlyOutcomes("return { name: 'gpt', ok: true, said: { key: 'gpt-ok' }, detail: 'sgdisk -v: no problems' };")).toEqual([]);
  });

  it.each(BUILDERS)('%s: every outcome carries its typed finding', (file) => {
    const text = readFileSync(resolve(import.meta.dirname, '../..', file), 'utf8');
    expect(text).toMatch(/\bdetail:/);
    expect(englishOnlyOutcomes(text), 'give these a `said` (src-shared/verify/check-said.ts)').toEqual([]);
  });
});
