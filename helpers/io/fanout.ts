// One read of the source feeds every target: each chunk (4 MiB) goes to every live target at every offset
// it needs (slot a and slot b). Each chunk gets its xxHash3-128 digest (chunk-hash.ts) on the main thread while
// the next chunk is already being read and the previous ones written (both in libuv's threads), so reading,
// hashing and writing overlap; a sha256 of the whole stream, where a manifest wants one, runs on a worker thread
// (hasher.ts). Each target has its own write queue with up to WRITES_PER_TARGET writes in flight, and may run up
// to POOL_CHUNKS chunks ahead of the slowest one (chunk-pool.ts), so a stick that pauses does not pause the
// others; over a whole write the slowest live target still sets the pace, since the source is read only once.
// Memory is the pool, whatever the stream's size. Block devices and image files get O_DIRECT where the kernel
// takes it (else buffered writes + fdatasync). All-zero chunks are skipped only on image files, which the
// wipe creates anew and sparse (their unwritten bytes read as zeros); a stick's old bytes are not zeros, so
// devices get every chunk. A target that errors, vanishes or stalls is failed on its own.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { deviceGone, removedMessage, type TargetCtx } from '../context.ts';
import { CHUNK_BYTES, directBuffer, padForDirect, plainBuffer } from './aligned.ts';
import { ChunkPool, type Chunk } from './chunk-pool.ts';
import { chunkHasher, ChunkDigests } from './chunk-hash.ts';
import { inlineHasher, threadHasher, type ChunkHasher } from './hasher.ts';
import type { ChunkReader } from './reader.ts';

/** A write that takes longer than this means the stick stopped responding. */
export const STALL_MS = 60_000;
/** Chunk buffers in the pool: how far (× 4 MiB) the fastest target may run ahead of the slowest. */
export const POOL_CHUNKS = 12;
/** Writes one target may have in flight at once (a queue depth above one helps sticks and the kernel). */
export const WRITES_PER_TARGET = 2;

export interface FanoutSink {
  ctx: TargetCtx;
  /** Byte offsets on the target where the stream goes (one per slot). */
  offsets: number[];
  /** Called with this sink's bytes written so far (offsets × stream bytes). */
  onProgress?: (bytes: number) => void;
}

interface OpenSink extends FanoutSink {
  /** O_DIRECT handle while the kernel takes it; null once it refused. */
  direct: FileHandle | null;
  /** Buffered handle (opened on the first refusal of O_DIRECT, or from the start). */
  buffered: FileHandle | null;
  sparse: boolean;
  written: number;
  queue: Chunk[];
  active: number;
}

export interface FanoutResult {
  bytes: number;
  /** The chunk digests of what was read (and written), for the read-back to compare chunk by chunk. */
  chunks: ChunkDigests;
  /** sha256 of the whole stream, when asked for (`wantSha256`); else null. */
  sha256: string | null;
}

const ZERO = Buffer.alloc(CHUNK_BYTES);

async function openSink(s: FanoutSink, wantDirect: boolean): Promise<OpenSink> {
  // Only a fresh image file is known to read back zeros where nothing was written (wipe.ts creates it anew).
  const sparse = s.ctx.target.kind === 'image-file';
  if (wantDirect) {
    // Image files too, where the filesystem takes O_DIRECT (ext4, xfs, btrfs; not tmpfs): a fresh sparse
    // file still gets only the chunks that hold data.
    try {
      return { ...s, direct: await open(s.ctx.disk, constants.O_WRONLY | constants.O_DIRECT), buffered: null, sparse, written: 0, queue: [], active: 0 };
    } catch {
      /* buffered below */
    }
  }
  return { ...s, direct: null, buffered: await open(s.ctx.disk, constants.O_WRONLY), sparse, written: 0, queue: [], active: 0 };
}

async function writeAll(fh: FileHandle, buf: Buffer, len: number, position: number): Promise<void> {
  let done = 0;
  while (done < len) {
    const { bytesWritten } = await fh.write(buf, done, len - done, position + done);
    if (bytesWritten <= 0) throw Object.assign(new Error('the device accepted no more data'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}

async function bufferedHandle(s: OpenSink): Promise<FileHandle> {
  s.buffered ??= await open(s.ctx.disk, constants.O_WRONLY);
  return s.buffered;
}

async function writeChunk(s: OpenSink, buf: Buffer, len: number, pos: number, zero: boolean): Promise<void> {
  if (!(s.sparse && zero)) {
    for (const base of s.offsets) {
      if (s.direct) {
        try {
          await writeAll(s.direct, buf, padForDirect(buf, len), base + pos);
          continue;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
          // The kernel refused O_DIRECT here: from now on this target is written buffered.
          s.ctx.log('debug', `O_DIRECT refused on ${s.ctx.disk}; using buffered writes`);
          const d = s.direct;
          s.direct = null;
          void d?.close().catch(() => undefined);
        }
      }
      await writeAll(await bufferedHandle(s), buf, len, base + pos);
    }
  }
  s.written += len * s.offsets.length;
  s.onProgress?.(s.written);
}

function withStall<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stall = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('no write finished for a minute'), { stalled: true })), ms);
  });
  return Promise.race([p, stall]).finally(() => clearTimeout(timer));
}

function buffers(probe: FanoutSink | undefined): { bufs: Buffer[]; direct: boolean } {
  const direct: Buffer[] = [];
  const zeroWriteAt = probe?.ctx.target.kind === 'image-file' ? probe.offsets[0] : undefined;
  for (let i = 0; probe && i < POOL_CHUNKS; i++) {
    const b = directBuffer(probe.ctx.disk, CHUNK_BYTES, zeroWriteAt, true);
    if (!b) break;
    direct.push(b);
  }
  if (direct.length === POOL_CHUNKS) return { bufs: direct, direct: true };
  return { bufs: Array.from({ length: POOL_CHUNKS }, () => plainBuffer(CHUNK_BYTES, true)), direct: false };
}

function startHasher(): ChunkHasher {
  try {
    return threadHasher();
  } catch {
    return inlineHasher();
  }
}

/** Starts queued writes on one target, up to WRITES_PER_TARGET at once; a failed target drops its queue. */
function pump(s: OpenSink, pool: ChunkPool): void {
  while (s.ctx.alive && s.active < WRITES_PER_TARGET && s.queue.length > 0) {
    const c = s.queue.shift()!;
    s.active++;
    void (async () => {
      try {
        if (deviceGone(s.ctx)) throw new Error(removedMessage(s.ctx.phase));
        await withStall(writeChunk(s, c.buf, c.len, c.pos, c.zero), STALL_MS);
      } catch (err) {
        s.ctx.fail(err);
      } finally {
        s.active--;
        pool.done(c);
        pump(s, pool);
      }
    })();
  }
  if (!s.ctx.alive) for (const c of s.queue.splice(0)) pool.done(c);
}

/**
 * Streams `reader` (expected `expectBytes` long) to every sink. Throws only for source failures or a job
 * cancel; target failures are recorded on their TargetCtx. `jobSignal` aborts everything. `wantSha256`: also
 * the sha256 of the whole stream (only where a manifest or stamp names one).
 */
export async function fanOut(reader: ChunkReader, expectBytes: number | null, sinks: FanoutSink[], jobSignal: AbortSignal, wantSha256 = false): Promise<FanoutResult> {
  const { bufs, direct } = buffers(sinks.find((s) => s.ctx.target.kind === 'device') ?? sinks.find((s) => s.ctx.alive));
  const open: OpenSink[] = [];
  for (const s of sinks) {
    if (!s.ctx.alive) continue;
    try {
      const o = await openSink(s, direct);
      s.ctx.log('debug', `writing ${o.direct ? 'with O_DIRECT' : 'buffered'}${o.sparse ? ', sparse' : ''} to ${s.ctx.disk}`);
      open.push(o);
    } catch (err) {
      s.ctx.fail(err);
    }
  }
  const digester = await chunkHasher();
  const chunks = new ChunkDigests();
  const sha = wantSha256 ? startHasher() : null;
  const pool = new ChunkPool(bufs);
  // A target failed from outside (cancel, a changed source) drops its queue at once.
  const onFail = () => open.forEach((s) => pump(s, pool));
  for (const s of open) s.ctx.signal.addEventListener('abort', onFail, { once: true });
  let hashError: unknown = null;
  let pos = 0;
  // One read in flight ahead: the next chunk is read while this one is hashed and queued.
  const readNext = async (): Promise<{ index: number; len: number }> => {
    const index = await pool.take();
    try {
      return { index, len: await reader.read(bufs[index]!) };
    } catch (err) {
      pool.release(index);
      throw err;
    }
  };
  let next: Promise<{ index: number; len: number }> | null = null;
  try {
    next = readNext();
    for (;;) {
      if (jobSignal.aborted) throw Object.assign(new Error('cancelled'), { cancelled: true });
      const live = open.filter((s) => s.ctx.alive);
      if (live.length === 0) break;
      const { index, len } = await next;
      next = null;
      const buf = bufs[index]!;
      if (len === 0) {
        pool.release(index);
        break;
      }
      if (len === buf.length) next = readNext();
      const data = buf.subarray(0, len);
      const zero = data.compare(ZERO, 0, len) === 0;
      chunks.push(digester.digest(data, zero), len);
      const chunk: Chunk = { index, buf, len, pos, zero, pending: live.length + (sha ? 1 : 0) };
      sha?.update(data).then(
        () => pool.done(chunk),
        (err: unknown) => {
          hashError = err;
          pool.done(chunk);
        },
      );
      for (const s of live) {
        s.queue.push(chunk);
        pump(s, pool);
      }
      pos += len;
      if (!next) break;
    }
    if (next) {
      // Left early (every target failed): the read ahead still gives its buffer back.
      const { index } = await next;
      next = null;
      pool.release(index);
    }
    await pool.drained();
    if (hashError) throw hashError;
    if (expectBytes !== null && pos !== expectBytes && open.some((s) => s.ctx.alive)) {
      throw new Error(`the source ended after ${pos} bytes, expected ${expectBytes}`);
    }
    await Promise.all(
      open
        .filter((s) => s.ctx.alive)
        .map(async (s) => {
          try {
            await withStall(Promise.all([s.direct?.datasync(), s.buffered?.datasync()]), STALL_MS);
          } catch (err) {
            s.ctx.fail(err);
          }
        }),
    );
    return { bytes: pos, chunks, sha256: sha ? await sha.digest() : null };
  } finally {
    void next?.catch(() => undefined);
    for (const s of open) s.ctx.signal.removeEventListener('abort', onFail);
    void sha?.close();
    // A stalled write may never return: do not wait for its handles.
    for (const s of open) {
      void s.direct?.close().catch(() => undefined);
      void s.buffered?.close().catch(() => undefined);
    }
  }
}
