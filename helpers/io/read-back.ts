// Reading a target back for verify: O_DIRECT where the kernel takes it (so the page cache does not answer for
// the stick), two buffers so the next chunk is read while this one is hashed, in the same CHUNK_BYTES chunks
// the fan-out hashed while writing. `readBackChunks` compares each chunk's digest with the one taken on the way
// out and stops at the first mismatch, naming its offset; `readBackEach` is the loop both it and the sha256
// read-back of the shared stick checks (steps/verify.ts) run on.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { TargetFailure } from '../../src-shared/job/target-failure.ts';
import type { TargetCtx } from '../context.ts';
import { CHUNK_BYTES, DIRECT_ALIGN, directBuffer, plainBuffer } from './aligned.ts';
import { CHUNK_HASH_NAME, chunkHasher, type ChunkDigests } from './chunk-hash.ts';

/** Calls `each` with every CHUNK_BYTES chunk of `length` bytes at `offset` of the target, read from the medium. */
export async function readBackEach(ctx: TargetCtx, offset: number, length: number, each: (chunk: Buffer, at: number) => void, onBytes?: (n: number) => void): Promise<void> {
  try {
    await readBack(ctx, offset, length, true, each, onBytes);
  } catch (err) {
    // O_DIRECT refused after all (the alignment probe may have hit a hole): read it all again, buffered.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
    await readBack(ctx, offset, length, false, each, onBytes);
  }
}

async function readBack(ctx: TargetCtx, offset: number, length: number, tryDirect: boolean, each: (chunk: Buffer, at: number) => void, onBytes?: (n: number) => void): Promise<void> {
  const a = tryDirect ? directBuffer(ctx.disk, CHUNK_BYTES) : null;
  const b = a ? directBuffer(ctx.disk, CHUNK_BYTES) : null;
  const direct = !!(a && b);
  const bufs = direct ? [a!, b!] : [plainBuffer(), plainBuffer()];
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
    if (got < want) throw Object.assign(new Error(`read back ended early at byte ${offset + at + got}`), { code: 'EIO' });
    return want;
  };
  let pending: Promise<number> | null = null;
  try {
    let done = 0;
    let i = 0;
    pending = length > 0 ? readChunk(bufs[0]!, 0) : null;
    while (pending) {
      const want = await pending;
      if (ctx.signal.aborted) throw new Error('cancelled');
      const buf = bufs[i % 2]!;
      const nextAt = done + want;
      pending = nextAt < length ? readChunk(bufs[(i + 1) % 2]!, nextAt) : null;
      each(buf.subarray(0, want), done);
      done = nextAt;
      i++;
      onBytes?.(done);
    }
  } finally {
    // A chunk that failed the comparison leaves the next read in flight: let it end before the handle closes.
    await pending?.catch(() => undefined);
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
  ) {
    super(`the ${chunkBytes}-byte chunk at byte ${byte} reads back differently from what was written (${detail})`);
    this.failure = { key: 'read-back', phase: 'verify', byte, chunkBytes };
  }
}

/**
 * Reads `written.bytes` bytes at `offset` back and compares them chunk by chunk with `written` (the digests the
 * fan-out took of what it wrote there); throws a ChunkMismatch naming the first chunk that differs.
 */
export async function readBackChunks(ctx: TargetCtx, offset: number, written: ChunkDigests, onBytes?: (n: number) => void): Promise<void> {
  const hasher = await chunkHasher();
  let index = 0;
  await readBackEach(
    ctx,
    offset,
    written.bytes,
    (chunk, at) => {
      const want = written.list[index++];
      const got = hasher.digest(chunk);
      if (!want || !got.equals(want)) {
        throw new ChunkMismatch(offset + at, chunk.length, `${CHUNK_HASH_NAME} ${got.toString('hex')}, written ${want?.toString('hex') ?? 'nothing'}`);
      }
    },
    onBytes,
  );
}
