// Reading a target back for verify: O_DIRECT where the kernel takes it (so the page cache does not answer for
// the stick), READ_BUFFERS shared buffers so the next chunk is read while the ones before are hashed (on
// worker threads, hash-workers.ts), in the same CHUNK_BYTES chunks the fan-out hashed while writing. `readBackChunks` compares each chunk's digest with the one taken on the way
// out and stops at the first mismatch, naming its offset; `readBackEach` is the loop both it and the sha256
// read-back of the shared stick checks (steps/verify.ts) run on.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { TargetFailure } from '../../src-shared/job/target-failure.ts';
import { FailureError, type TargetCtx } from '../context.ts';
import { CHUNK_BYTES, DIRECT_ALIGN, directBuffer, plainBuffer } from './aligned.ts';
import { CHUNK_HASH_NAME, type ChunkDigests } from './chunk-hash.ts';
import { workerChunkHasher } from './hash-workers.ts';

/** Chunk buffers of one read-back: one being read, the others being checked (one per hash worker, and one spare). */
export const READ_BUFFERS = 4;

/** A check of one chunk: done when it returns (or its promise resolves); the chunk's bytes stay put until then. */
export type EachChunk = (chunk: Buffer, at: number) => void | Promise<void>;

/**
 * Calls `each` with every CHUNK_BYTES chunk of `length` bytes at `offset` of the target, read from the medium, in
 * order; up to READ_BUFFERS - 1 checks run at once, and the first one to fail (in stream order) is thrown.
 */
export async function readBackEach(ctx: TargetCtx, offset: number, length: number, each: EachChunk, onBytes?: (n: number) => void): Promise<void> {
  try {
    await readBack(ctx, offset, length, true, each, onBytes);
  } catch (err) {
    // O_DIRECT refused after all (the alignment probe may have hit a hole): read it all again, buffered.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
    await readBack(ctx, offset, length, false, each, onBytes);
  }
}

async function readBack(ctx: TargetCtx, offset: number, length: number, tryDirect: boolean, each: EachChunk, onBytes?: (n: number) => void): Promise<void> {
  const aligned: Buffer[] = [];
  for (let i = 0; tryDirect && i < READ_BUFFERS; i++) {
    const b = directBuffer(ctx.disk, CHUNK_BYTES, undefined, true);
    if (!b) break;
    aligned.push(b);
  }
  const direct = aligned.length === READ_BUFFERS;
  const bufs = direct ? aligned : Array.from({ length: READ_BUFFERS }, () => plainBuffer(CHUNK_BYTES, true));
  const fh = await open(ctx.disk, direct ? constants.O_RDONLY | constants.O_DIRECT : constants.O_RDONLY);
  const readChunk = async (buf: Buffer, at: number): Promise<number> => {
    const want = Math.min(CHUNK_BYTES, length - at);
    const ask = direct ? Math.ceil(want / DIRECT_ALIGN) * DIRECT_ALIGN : want;
    let got = 0;
    while (got < ask) {
      const { bytesRead } = await fh.read(buf, got, ask - got, offset + at + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    // EIO: on a device the stick is gone (context.ts says so); an image file was cut short by someone meanwhile
    if (got < want) {
      const byte = offset + at + got;
      throw Object.assign(new FailureError(`read back ended early at byte ${byte}`, { key: 'read-short', phase: ctx.phase, byte }), { code: 'EIO' });
    }
    return want;
  };
  let pending: Promise<number> | null = null;
  // The checks still running, in stream order; chunk i's buffer is free again once chunk i's check is done.
  const checking: Promise<void>[] = [];
  try {
    let done = 0;
    let i = 0;
    pending = length > 0 ? readChunk(bufs[0]!, 0) : null;
    while (pending) {
      const want = await pending;
      pending = null;
      if (ctx.signal.aborted) throw new Error('cancelled');
      const check = Promise.resolve(each(bufs[i % READ_BUFFERS]!.subarray(0, want), done));
      check.catch(() => undefined); // thrown below, in order
      checking.push(check);
      // The next read goes into the buffer of chunk i + 1 - READ_BUFFERS: its check must be done.
      while (checking.length > READ_BUFFERS - 1) await checking.shift();
      const nextAt = done + want;
      pending = nextAt < length ? readChunk(bufs[(i + 1) % READ_BUFFERS]!, nextAt) : null;
      done = nextAt;
      i++;
      onBytes?.(done);
    }
    while (checking.length > 0) await checking.shift();
  } finally {
    // A chunk that failed the comparison leaves the next read and other checks in flight: let them end before
    // the handle closes and the buffers go.
    await pending?.catch(() => undefined);
    await Promise.all(checking.map((c) => c.catch(() => undefined)));
    await fh.close();
  }
}

/** Thrown by readBackChunks: the target's chunk at `byte` did not read back as written. */
export class ChunkMismatch extends Error {
  /** Typed for the reader's language (its phase is the target's when it fails: context.ts). */
  readonly failure: TargetFailure;
  constructor(
    readonly byte: number,
    readonly chunkBytes: number,
    detail: string,
    /** The chunk's first differing byte of the disk, when the image was at hand to compare. */
    first?: number,
  ) {
    super(`the ${chunkBytes}-byte chunk at byte ${byte} reads back differently from what was written (${detail})`);
    this.failure = { key: 'read-back', phase: 'verify', byte, chunkBytes, ...(first === undefined ? {} : { first }) };
  }
}

/**
 * Reads `written.bytes` bytes at `offset` back and compares them chunk by chunk with `written` (the digests the
 * fan-out took of what it wrote there); throws a ChunkMismatch naming the first chunk that differs.
 */
export async function readBackChunks(ctx: TargetCtx, offset: number, written: ChunkDigests, onBytes?: (n: number) => void): Promise<void> {
  const hasher = await workerChunkHasher();
  try {
    await readBackEach(
      ctx,
      offset,
      written.bytes,
      async (chunk, at) => {
        // by position, not by count: a read-back that O_DIRECT refused part-way starts again from its first chunk
        const want = written.list[at / CHUNK_BYTES];
        const got = await hasher.digest(chunk);
        if (!want || !got.equals(want)) {
          throw new ChunkMismatch(offset + at, chunk.length, `${CHUNK_HASH_NAME} ${got.toString('hex')}, written ${want?.toString('hex') ?? 'nothing'}`);
        }
      },
      onBytes,
    );
  } finally {
    await hasher.close();
  }
}

/** Where two equal-length buffers first differ (they are known to differ). */
function firstDifference(a: Buffer, b: Buffer): number {
  let lo = 0;
  let hi = a.length;
  // Halving with memcmp, not a byte loop: a 4 MiB chunk is narrowed in 22 compares.
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (a.compare(b, lo, mid, lo, mid) !== 0) hi = mid;
    else lo = mid;
  }
  return lo;
}

/**
 * Reads `length` bytes at `offset` of the target back and compares them byte for byte with the same bytes of
 * the image file `source` read again (`mask` applied to each of its chunks first: the raw writer's held-back
 * head); throws a ChunkMismatch naming the first chunk that differs and its first differing byte. For a source
 * that can be read twice this needs no hash at all, neither as written nor as read back (xxh128 costs about
 * 0.4 s of CPU per GiB and pass on a small machine; a compare, under a tenth of that), and an image changed since
 * it was written fails too: the stick is compared with the image, not with what was sent.
 */
export async function readBackAgainst(ctx: TargetCtx, offset: number, source: string, length: number, mask?: (chunk: Buffer, at: number) => void, onBytes?: (n: number) => void): Promise<void> {
  const src = await open(source, 'r');
  // One per check in flight (readBackEach runs up to READ_BUFFERS - 1 at once, in order).
  const mine = Array.from({ length: READ_BUFFERS }, () => Buffer.allocUnsafe(CHUNK_BYTES));
  let index = 0;
  try {
    await readBackEach(
      ctx,
      offset,
      length,
      async (chunk, at) => {
        const want = mine[index++ % READ_BUFFERS]!.subarray(0, chunk.length);
        let got = 0;
        while (got < want.length) {
          const { bytesRead } = await src.read(want, got, want.length - got, at + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        // the image shrank since it was written: the source changed, and the stick holds what it was before
        if (got < want.length) throw new FailureError(`the image ended at byte ${at + got} when it was read again to compare, ${length} bytes were written`, { key: 'source-changed', byte: at + got });
        mask?.(want, at);
        if (!want.equals(chunk)) {
          const first = offset + at + firstDifference(want, chunk);
          throw new ChunkMismatch(offset + at, chunk.length, `its byte ${first} differs from the image's`, first);
        }
      },
      onBytes,
    );
  } finally {
    await src.close();
  }
}
