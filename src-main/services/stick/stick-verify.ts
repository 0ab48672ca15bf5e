// Re-checks a written stick against its own stamp with independent tools: the GPT (sgdisk -v), the checks the
// helper's write-time verify runs too (each slot's sha256, `veritysetup verify`, the ESP files, the caches:
// src-shared/verify/stick-checks.ts, read here by stick-stamp-checks.ts), the payload files,
// and `btrfs check --readonly` of every Btrfs partition. Read-only throughout. A raw stick has no stamp: it is
// checked against the disk image it was written from (`image`), byte for byte.
//
// Why the raw profile's persistence partition holds no stamp either: it could (iios formats it, so an
// /iios/stick.json there with the image's size and sha256 would let `iios verify` work without --image), but
// the on-stick format puts the stamp on IIOS-ESP and every reader looks there; one place, not two.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { compareWithImage, type ImageComparison } from './stick-image-compare.ts';
import { partitionByName, readStick, type StickInfo, type StickPartition } from './stick-reader.ts';
import { stampChecks } from './stick-stamp-checks.ts';
import { BTRFS_CHECK_TRIES, btrfsCheckRaced } from '../../../src-shared/verify/stick-checks.ts';
import { fatReadFile, tool, toolBuffer, withReadOnlyLoop } from './stick-tools.ts';

export interface VerifyCheck {
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

type Check = (name: string, fn: () => Promise<{ ok: boolean; detail: string; bytes?: number }>) => Promise<void>;

export function noStampMessage(path: string): string {
  return `no iios stamp on ${path}: a raw image carries none; verify it against its image with --image FILE`;
}

/** Runs every check that applies; a failing check does not stop the others. */
export async function verifyStick(path: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const info = await readStick(path, { signal: opts.signal });
  // A stick written a moment ago must answer from the medium, not from the page cache.
  if (info.kind === 'device') await tool('blockdev', ['--flushbufs', path]).catch(() => undefined);
  const checks: VerifyCheck[] = [];
  const check: Check = async (name, fn) => {
    const t0 = performance.now();
    let c: VerifyCheck;
    try {
      c = { name, ...(await fn()), ms: performance.now() - t0 };
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      c = { name, ok: false, detail: (err as Error).message, ms: performance.now() - t0 };
    }
    checks.push(c);
    opts.onCheck?.(c);
  };

  if (opts.image) {
    await imageChecks(path, info, opts.image, check, opts);
    return { path, ok: checks.length > 0 && checks.every((c) => c.ok), info, checks };
  }

  await check('stamp', async () =>
    info.stamp
      ? { ok: info.complete, detail: info.complete ? `complete (${info.stamp.profile ?? '?'}, ${info.stamp.hostname ?? '?'})` : 'the stamp says the write did not finish' }
      : { ok: false, detail: info.esp ? (info.stampError ?? 'no stamp') : noStampMessage(path) },
  );
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
    await check('payload', async () => {
      const bad: string[] = [];
      const readAll = async (read: (file: string) => Promise<Buffer>) => {
        for (const p of stamp.payload) {
          try {
            const got = createHash('sha256').update(await read(p.path)).digest('hex');
            if (got !== p.sha256) bad.push(`${p.path} differs`);
          } catch {
            bad.push(`${p.path} missing`);
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
      return { ok: bad.length === 0, detail: bad.length ? bad.join(', ') : `${stamp.payload.length} files match` };
    });
  }

  await btrfsChecks(path, info.layout.partitions, check, opts);

  return { path, ok: checks.every((c) => c.ok), info, checks };
}

async function gptCheck(path: string, check: Check, opts: VerifyOptions): Promise<void> {
  await check('gpt', async () => {
    const { stdout } = await tool('sgdisk', ['-v', path], { signal: opts.signal, okExitCodes: [0, 1, 2] });
    const ok = /No problems found/i.test(stdout);
    return { ok, detail: ok ? 'sgdisk -v: no problems' : stdout.trim().split('\n').slice(0, 4).join(' | ') };
  });
}

async function btrfsChecks(path: string, parts: StickPartition[], check: Check, opts: VerifyOptions): Promise<void> {
  for (const part of parts) {
    if (!(await hasBtrfsMagic(path, part).catch(() => false))) continue;
    await check(`btrfs ${part.name}`, async () => {
      // asked again on a fresh loop when it stopped at the mount table before reading this filesystem
      for (let attempt = 1; ; attempt++) {
        const r = await withReadOnlyLoop(path, part.startBytes, part.sizeBytes, (dev) => tool('btrfs', ['check', '--readonly', dev], { signal: opts.signal, okExitCodes: [0, 1] }));
        if (r.exitCode !== 0 && attempt < BTRFS_CHECK_TRIES && btrfsCheckRaced(r.stderr)) continue;
        return { ok: r.exitCode === 0, detail: r.exitCode === 0 ? 'btrfs check --readonly: clean' : r.stderr.trim().split('\n').slice(-2).join(' | ') };
      }
    });
  }
}

/** The verdict on a raw stick compared with its image (see stick-image-compare.ts for the table exception). */
export function judgeImage(c: ImageComparison, persistence: StickPartition | null): { ok: boolean; detail: string; bytes: number } {
  const bytes = c.imageBytes;
  const shas = `sha256 ${c.stickSha256} ≠ image ${c.imageSha256}`;
  if (c.stickEndsAt !== null) return { ok: false, detail: `the stick ends at byte ${c.stickEndsAt}, before the image's ${bytes} bytes`, bytes };
  if (c.differingBytes === 0) return { ok: true, detail: `${bytes} bytes match the image (sha256 ${c.imageSha256})`, bytes };
  const count = (n: number) => (n === 1 ? '1 byte differs' : `${n} bytes differ`);
  if (c.firstDiffPastTable !== null) {
    const inTable = c.differingBytes - c.differingPastTable;
    const also = inTable > 0 ? ` (and ${inTable} in its partition table)` : '';
    return { ok: false, detail: `differs from the image: ${count(c.differingPastTable)}, the first at byte ${c.firstDiffPastTable}${also}; ${shas}`, bytes };
  }
  const where = `${count(c.differingBytes)}, the first at byte ${c.firstDiff}`;
  if (!persistence) return { ok: false, detail: `differs from the image in its partition table: ${where}; ${shas}`, bytes };
  if (c.tableProblems.length) return { ok: false, detail: `the image's own partition table was changed (${c.tableProblems.join(', ')}); ${shas}`, bytes };
  return {
    ok: true,
    detail:
      `${bytes} bytes match the image (sha256 ${c.imageSha256}) except its partition table, which iios extended with ` +
      `${persistence.name || `partition ${persistence.index}`}: ${c.differingBytes} bytes of the first ${c.region.end} differ; ` +
      `the image's own entries and boot code are unchanged`,
    bytes,
  };
}

/** A raw stick against its image: the bytes, then the table and filesystem of a persistence partition. */
async function imageChecks(path: string, info: StickInfo, image: string, check: Check, opts: VerifyOptions): Promise<void> {
  const found: { persistence: StickPartition | null } = { persistence: null };
  await check('image sha256', async () => {
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
    await check(`ext4 ${persistence.name || `partition ${persistence.index}`}`, async () =>
      withReadOnlyLoop(path, persistence.startBytes, persistence.sizeBytes, async (dev) => {
        const r = await tool('e2fsck', ['-f', '-n', dev], { signal: opts.signal, okExitCodes: [0, 1, 2, 4, 8] });
        return { ok: r.exitCode === 0, detail: r.exitCode === 0 ? 'e2fsck -fn: clean' : (r.stdout + r.stderr).trim().split('\n').slice(-2).join(' | ') };
      }),
    );
  }
}
