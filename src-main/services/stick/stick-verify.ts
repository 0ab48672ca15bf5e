// Re-checks a written stick against its own stamp with independent tools: the GPT (sgdisk -v), the checks the
// helper's write-time verify runs too (each slot's sha256, `veritysetup verify`, the ESP files, the caches:
// src-shared/verify/stick-checks.ts, read here by stick-stamp-checks.ts), the payload files,
// and `btrfs check --readonly` of every Btrfs partition. Read-only throughout. A raw stick has no stamp: it is
// checked against the disk image it was written from (`image`), byte for byte.
//
// Why the raw profile's persistence partition holds no stamp either: it could (iios formats it, so an
// /iios/stick.json there with the image's size and sha256 would let `iios verify` work without --image), but
// the on-stick format puts the stamp on IIOS-ESP and every reader looks there; one place, not two.
import { gptProblems } from '../../../src-shared/verify/gpt-verdict.ts';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { compareWithImage, tableProblemEnglish, type ImageComparison } from './stick-image-compare.ts';
import { partitionByName, readStick, type StickInfo, type StickPartition } from './stick-reader.ts';
import { stampChecks } from './stick-stamp-checks.ts';
import { BTRFS_CHECK_TRIES, btrfsCheckRaced, checkThrew } from '../../../src-shared/verify/stick-checks.ts';
import type { CheckId, CheckSaid, FileProblem } from '../../../src-shared/verify/check-said.ts';
import { fatReadFile, tool, toolBuffer, withReadOnlyLoop } from './stick-tools.ts';

export interface VerifyCheck {
  /** The check and what it found, typed: what the CLI says in the reader's language (src-shared/verify/check-words.ts). */
  id: CheckId;
  said: CheckSaid;
  /** The same in English (`--json`, logs). */
  name: string;
  ok: boolean;
  detail: string;
  bytes?: number;
  ms: number;
}

export interface VerifyReport {
  path: string;
  ok: boolean;
  info: StickInfo;
  checks: VerifyCheck[];
}

export interface VerifyOptions {
  signal?: AbortSignal;
  /** A raw stick: the disk image it was written from (.img/.iso, or compressed); its bytes are the reference. */
  image?: string;
  onCheck?: (check: VerifyCheck) => void;
  onProgress?: (name: string, bytesDone: number, bytesTotal: number) => void;
}

const BTRFS_MAGIC = Buffer.from('_BHRfS_M');

async function readAt(path: string, at: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, at);
    return buf;
  } finally {
    await fh.close();
  }
}

const hasBtrfsMagic = async (path: string, part: StickPartition) => (await readAt(path, part.startBytes + 0x10040, 8)).equals(BTRFS_MAGIC);
/** ext2/3/4: 0xEF53 at byte 56 of the superblock, which starts 1024 bytes in. */
const hasExt4Magic = async (path: string, part: StickPartition) => (await readAt(path, part.startBytes + 1024 + 56, 2)).readUInt16LE(0) === 0xef53;

/** What a check found: typed, and in English. */
interface Found {
  ok: boolean;
  said: CheckSaid;
  detail: string;
  bytes?: number;
}

type Check = (id: CheckId, name: string, fn: () => Promise<Found>) => Promise<void>;

export function noStampMessage(path: string): string {
  return `no iios stamp on ${path}: a raw image carries none; verify it against its image with --image FILE`;
}

/** The stamp check: complete, incomplete, unreadable, or none at all (a raw image, to verify with --image). */
function stampFound(path: string, info: StickInfo): Found {
  const stamp = info.stamp;
  if (stamp) {
    return info.complete
      ? { ok: true, said: { key: 'stamp-complete', profile: stamp.profile ?? null, hostname: stamp.hostname ?? null }, detail: `complete (${stamp.profile ?? '?'}, ${stamp.hostname ?? '?'})` }
      : { ok: false, said: { key: 'stamp-incomplete' }, detail: 'the stamp says the write did not finish' };
  }
  if (!info.esp) return { ok: false, said: { key: 'no-stamp-raw', path }, detail: noStampMessage(path) };
  const why = info.stampError ?? 'no stamp';
  return { ok: false, said: { key: 'stamp-unreadable', why, ...(info.readProblem ? { problem: info.readProblem } : {}) }, detail: why };
}

/** Runs every check that applies; a failing check does not stop the others. */
export async function verifyStick(path: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const info = await readStick(path, { signal: opts.signal });
  // A stick written a moment ago must answer from the medium, not from the page cache.
  if (info.kind === 'device') await tool('blockdev', ['--flushbufs', path]).catch(() => undefined);
  const checks: VerifyCheck[] = [];
  const check: Check = async (id, name, fn) => {
    const t0 = performance.now();
    let c: VerifyCheck;
    try {
      c = { id, name, ...(await fn()), ms: performance.now() - t0 };
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      // the English as it was (the error alone); the typed form says which check could not read
      c = { ...checkThrew(id, name, err), detail: (err as Error).message, ms: performance.now() - t0 };
    }
    checks.push(c);
    opts.onCheck?.(c);
  };

  if (opts.image) {
    await imageChecks(path, info, opts.image, check, opts);
    return { path, ok: checks.length > 0 && checks.every((c) => c.ok), info, checks };
  }

  await check({ check: 'stamp' }, 'stamp', async () => stampFound(path, info));
  if (!info.layout || !info.stamp) return { path, ok: false, info, checks };

  await gptCheck(path, check, opts);

  const stamp = info.stamp;
  const layout = info.layout;
  await stampChecks(path, layout, info.esp!, stamp, opts, (c) => {
    checks.push(c);
    opts.onCheck?.(c);
  });

  const payloadPart = partitionByName(info.layout, 'iios-payload');
  if (payloadPart && stamp.payload.length) {
    await check({ check: 'payload' }, 'payload', async () => {
      const bad: FileProblem[] = [];
      const readAll = async (read: (file: string) => Promise<Buffer>) => {
        for (const p of stamp.payload) {
          const want = { sha256: p.sha256, sizeBytes: p.sizeBytes };
          try {
            const bytes = await read(p.path);
            const got = { sha256: createHash('sha256').update(bytes).digest('hex'), sizeBytes: bytes.length };
            if (got.sha256 !== p.sha256) bad.push({ path: p.path, got, want });
          } catch {
            bad.push({ path: p.path, got: null, want });
          }
        }
      };
      if (await hasExt4Magic(path, payloadPart)) {
        await withReadOnlyLoop(path, payloadPart.startBytes, payloadPart.sizeBytes, (dev) =>
          readAll((file) => toolBuffer('debugfs', ['-R', `cat ${file}`, dev], { signal: opts.signal })),
        );
      } else {
        await readAll((file) => fatReadFile(path, payloadPart.startBytes, file, { signal: opts.signal }));
      }
      const [first, ...more] = bad;
      return {
        ok: bad.length === 0,
        said: first ? { key: 'payload-differs', problems: [first, ...more] } : { key: 'payload-match', files: stamp.payload.length },
        detail: bad.length ? bad.map((b) => `${b.path} ${b.got ? 'differs' : 'missing'}`).join(', ') : `${stamp.payload.length} files match`,
      };
    });
  }

  await btrfsChecks(path, info.layout.partitions, check, opts);

  return { path, ok: checks.every((c) => c.ok), info, checks };
}

async function gptCheck(path: string, check: Check, opts: VerifyOptions): Promise<void> {
  await check({ check: 'gpt' }, 'gpt', async () => {
    const { stdout, stderr } = await tool('sgdisk', ['-v', path], { signal: opts.signal, okExitCodes: [0, 1, 2] });
    const output = gptProblems(stdout, stderr);
    if (output === null) return { ok: true, said: { key: 'gpt-ok' }, detail: 'sgdisk -v: no problems' };
    return { ok: false, said: { key: 'gpt-problems', output }, detail: output };
  });
}

async function btrfsChecks(path: string, parts: StickPartition[], check: Check, opts: VerifyOptions): Promise<void> {
  for (const part of parts) {
    if (!(await hasBtrfsMagic(path, part).catch(() => false))) continue;
    await check({ check: 'btrfs', partition: part.name }, `btrfs ${part.name}`, async () => {
      // asked again on a fresh loop when it stopped at the mount table before reading this filesystem
      for (let attempt = 1; ; attempt++) {
        const r = await withReadOnlyLoop(path, part.startBytes, part.sizeBytes, (dev) => tool('btrfs', ['check', '--readonly', dev], { signal: opts.signal, okExitCodes: [0, 1] }));
        if (r.exitCode !== 0 && attempt < BTRFS_CHECK_TRIES && btrfsCheckRaced(r.stderr)) continue;
        if (r.exitCode === 0) return { ok: true, said: { key: 'fs-clean', tool: 'btrfs' }, detail: 'btrfs check --readonly: clean' };
        const output = r.stderr.trim().split('\n').slice(-2).join(' | ');
        return { ok: false, said: { key: 'fs-problems', tool: 'btrfs', output }, detail: output };
      }
    });
  }
}

/** The verdict on a raw stick compared with its image (see stick-image-compare.ts for the table exception). */
export function judgeImage(c: ImageComparison, persistence: StickPartition | null): Found & { bytes: number } {
  const bytes = c.imageBytes;
  const sums = { stickSha256: c.stickSha256, imageSha256: c.imageSha256 };
  const shas = `sha256 ${c.stickSha256} ≠ image ${c.imageSha256}`;
  if (c.stickEndsAt !== null) return { ok: false, said: { key: 'image-short', endsAt: c.stickEndsAt, bytes }, detail: `the stick ends at byte ${c.stickEndsAt}, before the image's ${bytes} bytes`, bytes };
  if (c.differingBytes === 0) return { ok: true, said: { key: 'image-match', bytes, sha256: c.imageSha256 }, detail: `${bytes} bytes match the image (sha256 ${c.imageSha256})`, bytes };
  const count = (n: number) => (n === 1 ? '1 byte differs' : `${n} bytes differ`);
  if (c.firstDiffPastTable !== null) {
    const inTable = c.differingBytes - c.differingPastTable;
    const also = inTable > 0 ? ` (and ${inTable} in its partition table)` : '';
    const said: CheckSaid = { key: 'image-differs', differing: c.differingPastTable, first: c.firstDiffPastTable, inTable, ...sums };
    return { ok: false, said, detail: `differs from the image: ${count(c.differingPastTable)}, the first at byte ${c.firstDiffPastTable}${also}; ${shas}`, bytes };
  }
  const where = `${count(c.differingBytes)}, the first at byte ${c.firstDiff}`;
  if (!persistence) {
    const said: CheckSaid = { key: 'image-table-differs', differing: c.differingBytes, first: c.firstDiff ?? 0, ...sums };
    return { ok: false, said, detail: `differs from the image in its partition table: ${where}; ${shas}`, bytes };
  }
  const [problem, ...problems] = c.tableProblems;
  if (problem) {
    const said: CheckSaid = { key: 'image-table-changed', problems: [problem, ...problems], ...sums };
    return { ok: false, said, detail: `the image's own partition table was changed (${c.tableProblems.map(tableProblemEnglish).join(', ')}); ${shas}`, bytes };
  }
  const partition = persistence.name || `partition ${persistence.index}`;
  return {
    ok: true,
    said: { key: 'image-match-extended', bytes, sha256: c.imageSha256, partition, differing: c.differingBytes, regionBytes: c.region.end },
    detail:
      `${bytes} bytes match the image (sha256 ${c.imageSha256}) except its partition table, which iios extended with ` +
      `${partition}: ${c.differingBytes} bytes of the first ${c.region.end} differ; ` +
      `the image's own entries and boot code are unchanged`,
    bytes,
  };
}

/** A raw stick against its image: the bytes, then the table and filesystem of a persistence partition. */
async function imageChecks(path: string, info: StickInfo, image: string, check: Check, opts: VerifyOptions): Promise<void> {
  const found: { persistence: StickPartition | null } = { persistence: null };
  await check({ check: 'image-sha256' }, 'image sha256', async () => {
    const c = await compareWithImage(path, image, { signal: opts.signal, onBytes: (d, t) => opts.onProgress?.('image sha256', d, t) });
    // A partition that starts behind the image was added by iios (the raw profile's persistence partition).
    found.persistence = info.layout?.partitions.find((p) => p.startBytes >= c.imageBytes) ?? null;
    return judgeImage(c, found.persistence);
  });
  const persistence = found.persistence;
  if (!persistence || !info.layout) return;
  if (info.layout.label === 'gpt') await gptCheck(path, check, opts);
  await btrfsChecks(path, [persistence], check, opts);
  if (await hasExt4Magic(path, persistence).catch(() => false)) {
    const partition = persistence.name || `partition ${persistence.index}`;
    await check({ check: 'ext4', partition }, `ext4 ${partition}`, async () =>
      withReadOnlyLoop(path, persistence.startBytes, persistence.sizeBytes, async (dev): Promise<Found> => {
        const r = await tool('e2fsck', ['-f', '-n', dev], { signal: opts.signal, okExitCodes: [0, 1, 2, 4, 8] });
        if (r.exitCode === 0) return { ok: true, said: { key: 'fs-clean', tool: 'e2fsck' }, detail: 'e2fsck -fn: clean' };
        const output = (r.stdout + r.stderr).trim().split('\n').slice(-2).join(' | ');
        return { ok: false, said: { key: 'fs-problems', tool: 'e2fsck', output }, detail: output };
      }),
    );
  }
}
