// The raw profile: a disk image written as it is (decompressed on the way by the system tool), read back and
// compared chunk by chunk with what was written (io/read-back.ts), its first MiB last, then optionally the
// persistence partition behind it (sgdisk -e moves the image's backup GPT to the end of the target; an MBR-only image gets an appended MBR partition instead). The new GPT
// entry is read back field by field like the bundle profiles' partitions.
import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { WriteJob } from '../src-shared/job/write-job.ts';
import { deviceGone, FailureError, forEachTarget, type TargetCtx } from './context.ts';
import { CHUNK_BYTES } from './io/aligned.ts';
import { chunkHasher, type ChunkDigests, type ChunkHasher } from './io/chunk-hash.ts';
import { fanOut } from './io/fanout.ts';
import { readBackAgainst, readBackChunks } from './io/read-back.ts';
import { decompressReader, fileReader, type ChunkReader } from './io/reader.ts';
import type { RawSource } from './source.ts';
import { checkPartition } from './steps/partition.ts';
import { waitForTestGate } from './steps/verify-support.ts';
import { capacityCheck } from './steps/capacity-check.ts';
import { wipe } from './steps/wipe.ts';
import { reportDone } from './target-results.ts';
import { appendMbrPartition } from './tools/sfdisk.ts';
import { addPartitionsAfterImage, firstFreeNumber, gptSummary } from './tools/sgdisk.ts';

async function hasGpt(ctx: TargetCtx): Promise<boolean> {
  const fh = await open(ctx.disk, 'r');
  try {
    const b = Buffer.alloc(8);
    await fh.read(b, 0, 8, ctx.plan.sectorSize);
    return b.toString('latin1') === 'EFI PART';
  } finally {
    await fh.close();
  }
}

async function addPersistence(ctx: TargetCtx): Promise<void> {
  const part = ctx.part('persistence');
  if (!part) return;
  ctx.enter('partition');
  const opts = { signal: ctx.signal };
  if (await hasGpt(ctx)) {
    // The first free entry of the image's own table, chosen here (not sgdisk's "0") so it can be read back by number.
    const index = firstFreeNumber(await gptSummary(ctx.disk, opts));
    const spec = { index, name: part.name, typeGuid: part.typeGuid, startLba: part.startLba, sizeLba: part.sizeLba, attributes: part.attributes, uniqueGuid: part.uniqueGuid ?? randomUUID() };
    await addPartitionsAfterImage(ctx.disk, [spec], opts);
    // the table verified and the new partition read back, in one sgdisk run
    await checkPartition(ctx.disk, spec, opts);
  } else {
    await appendMbrPartition(ctx.disk, { startLba: part.startLba, sizeLba: part.sizeLba, type: '83' }, opts);
  }
  ctx.enter('btrfs');
  // Loaded here: a raw write without persistence never compiles the Btrfs steps.
  const { formatPartition } = await import('./steps/btrfs.ts');
  await formatPartition(ctx, { ...part, role: 'data' }, null);
}

/** The image's first MiB: its partition table (MBR, primary GPT) lives there, so it is written last. */
export const HEAD_BYTES = 1024 * 1024;

/**
 * Passes the stream on with its first HEAD_BYTES held back (zeros go out instead, and are what the targets get
 * and the fan-out hashes); `head` gets the real bytes, and `firstChunk` the digest of the real first chunk (to
 * compare with the digests measured before writing; the later chunks go out as they are).
 */
export function holdBackHead(reader: ChunkReader, hasher: ChunkHasher | null): { reader: ChunkReader; head: Buffer; headBytes: () => number; firstChunk: () => Buffer | null } {
  const head = Buffer.alloc(HEAD_BYTES);
  let first: Buffer | null = null;
  let pos = 0;
  return {
    head,
    headBytes: () => Math.min(pos, HEAD_BYTES),
    firstChunk: () => first,
    reader: {
      async read(into) {
        const n = await reader.read(into);
        if (pos < HEAD_BYTES && n > 0) {
          if (pos !== 0 || into.length !== CHUNK_BYTES) throw new Error('the first chunk must be read whole');
          first = hasher?.digest(into.subarray(0, n)) ?? null;
          const k = Math.min(n, HEAD_BYTES - pos);
          into.copy(head, pos, 0, k);
          into.fill(0, 0, k);
        }
        pos += n;
        return n;
      },
      close: () => reader.close(),
      // Past the held-back head the stream is the image's own bytes: a lagging target may read them itself.
      reopen: reader.reopen ? (at) => (at >= HEAD_BYTES ? reader.reopen!(at) : Promise.reject(new Error('the held-back head cannot be read again'))) : undefined,
    },
  };
}

/** The image's chunk as the targets got it before their table: its first HEAD_BYTES held back (zeros). */
function zeroHead(chunk: Buffer, at: number): void {
  if (at < HEAD_BYTES) chunk.fill(0, 0, Math.min(chunk.length, HEAD_BYTES - at));
}

/** Where the stream written differs from the image as measured before writing (first chunk: its real bytes). */
export function changedSince(measured: ChunkDigests, written: ChunkDigests | null, firstReal: Buffer | null): number | null {
  if (!written || !firstReal || !measured.list[0]?.equals(firstReal)) return 0;
  const i = measured.firstMismatch(written, 1);
  return i === null ? null : i * CHUNK_BYTES;
}

/** Writes the held-back head at 0 and reads it back: the moment the target gets a partition table. */
async function writeHead(t: TargetCtx, head: Buffer): Promise<void> {
  const fh = await open(t.disk, 'r+');
  try {
    await fh.write(head, 0, head.length, 0);
    await fh.datasync();
    const back = Buffer.alloc(head.length);
    await fh.read(back, 0, head.length, 0);
    if (!back.equals(head)) {
      const first = back.findIndex((b, i) => b !== head[i]);
      throw new FailureError("the image's first MiB (its partition table) reads back differently", { key: 'read-back', phase: t.phase, byte: 0, chunkBytes: head.length, first });
    }
  } finally {
    await fh.close();
  }
}

export async function writeRaw(job: WriteJob, targets: TargetCtx[], source: RawSource, signal: AbortSignal): Promise<void> {
  await forEachTarget(targets, async (t) => {
    if (job.capacityCheck) await capacityCheck(t);
    await wipe(t, { rawImage: true });
  });
  const live = targets.filter((t) => t.alive);
  for (const t of live) {
    t.enter('slots');
    t.progress(0, source.imageBytes, true);
  }
  const plain = source.compression ? decompressReader(source.path, source.compression, signal) : await fileReader(source.path);
  // A write stopped at any point leaves no valid table: the first MiB goes on only after the rest is verified.
  // A plain image is verified against itself, read again (readBackAgainst: no hashing); a decompressed stream
  // cannot be read twice, so it is hashed chunk by chunk as written and as read back.
  const againstImage = job.verify && !source.compression;
  // Chunk digests only where something compares them: that read-back, or a decompressed source measured before.
  const digests = (job.verify && !againstImage) || !!source.chunks;
  const held = holdBackHead(plain, source.chunks ? await chunkHasher() : null);
  // Each target is verified and gets its table as soon as it has all the bytes, at its own pace.
  const finish = (t: TargetCtx) => async (written: ChunkDigests | null) => {
    const changed = source.chunks ? changedSince(source.chunks, written, held.firstChunk()) : null;
    if (changed !== null) throw new Error(`the image changed while it was written (its bytes from ${changed} on differ from when it was measured)`);
    if (deviceGone(t)) throw new Error('device gone');
    if (job.verify) {
      t.enter('verify');
      await waitForTestGate(t.id, t.signal);
      const progress = (n: number) => t.progress(n, source.imageBytes);
      if (againstImage) await readBackAgainst(t, 0, source.path, source.imageBytes, zeroHead, progress);
      else if (!written) throw new Error('no chunk digests to verify against');
      else await readBackChunks(t, 0, written, progress);
    }
    // The table makes the stick read as written: never onto a target that failed or went away meanwhile (a loop
    // detached under us still takes writes into its file while we hold it open).
    if (!t.alive || deviceGone(t)) throw new Error('device gone');
    await writeHead(t, held.head.subarray(0, held.headBytes()));
    if (job.verify) t.verified = true;
    await addPersistence(t);
    if (!t.failure && deviceGone(t)) throw new Error('device gone');
    reportDone(t);
  };
  try {
    const sinks = live.map((t) => ({ ctx: t, offsets: [0], onProgress: (n: number) => t.progress(n, source.imageBytes, n >= source.imageBytes), onDone: finish(t) }));
    await fanOut(held.reader, source.imageBytes, sinks, signal, { chunkDigests: digests });
  } catch (err) {
    for (const t of live) t.fail(err);
  } finally {
    await held.reader.close();
  }
}
