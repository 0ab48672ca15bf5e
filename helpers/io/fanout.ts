// One read of the source feeds every target: each chunk (4 MiB) goes to every live target at every offset
// it needs (slot a and slot b), hashed once on the way (on a worker thread, see hasher.ts). Each target has
// its own write queue with up to WRITES_PER_TARGET writes in flight, and may run up to POOL_CHUNKS chunks
// ahead of the slowest one (chunk-pool.ts), so a stick that pauses does not pause the others; over a whole
// write the slowest live target still sets the pace, since the source is read only once. Block devices and
// image files get O_DIRECT where the kernel takes it (else buffered writes + fdatasync); image files skip
// all-zero chunks, so they stay sparse. A target that errors, vanishes or stalls is failed on its own.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { deviceGone, removedMessage, type TargetCtx } from '../context.ts';
import { CHUNK_BYTES, directBuffer, padForDirect, plainBuffer } from './aligned.ts';
import { ChunkPool, type Chunk } from './chunk-pool.ts';
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
  /** Write zero chunks too on an image file (a slot rewritten in place: skipped zeros would leave old bytes). */
  keepZeros?: boolean;
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
  sha256: string;
}

const ZERO = Buffer.alloc(CHUNK_BYTES);

async function openSink(s: FanoutSink, wantDirect: boolean): Promise<OpenSink> {
  const sparse = s.ctx.target.kind !== 'device' && !s.keepZeros;
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
 * cancel; target failures are recorded on their TargetCtx. `jobSignal` aborts everything.
 */
export async function fanOut(reader: ChunkReader, expectBytes: number | null, sinks: FanoutSink[], jobSignal: AbortSignal): Promise<FanoutResult> {
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
  const hasher = startHasher();
  const pool = new ChunkPool(bufs);
  // A target failed from outside (cancel, a changed source) drops its queue at once.
  const onFail = () => open.forEach((s) => pump(s, pool));
  for (const s of open) s.ctx.signal.addEventListener('abort', onFail, { once: true });
  let hashError: unknown = null;
  let pos = 0;
  try {
    for (;;) {
      if (jobSignal.aborted) throw Object.assign(new Error('cancelled'), { cancelled: true });
      const live = open.filter((s) => s.ctx.alive);
      if (live.length === 0) break;
      const index = await pool.take();
      const buf = bufs[index]!;
      const len = await reader.read(buf);
      if (len === 0) {
        pool.release(index);
        break;
      }
      const chunk: Chunk = { index, buf, len, pos, zero: buf.compare(ZERO, 0, len, 0, len) === 0, pending: live.length + 1 };
      hasher.update(buf.subarray(0, len)).then(
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
      if (len < buf.length) break;
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
    return { bytes: pos, sha256: await hasher.digest() };
  } finally {
    for (const s of open) s.ctx.signal.removeEventListener('abort', onFail);
    void hasher.close();
    // A stalled write may never return: do not wait for its handles.
    for (const s of open) {
      void s.direct?.close().catch(() => undefined);
      void s.buffered?.close().catch(() => undefined);
    }
  }
}
