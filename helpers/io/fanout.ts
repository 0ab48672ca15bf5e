// One read of the source feeds every target: each chunk (4 MiB) goes to every live target at every offset
// it needs (slot a and slot b), hashed once on the way (on a worker thread, see hasher.ts). Up to PIPELINE_DEPTH chunks are in flight at once
// (reads, writes and hashing overlap; each target sees a queue depth above one, which sticks and the
// kernel reward). Block devices and image files get O_DIRECT where the kernel takes it (else buffered
// writes + fdatasync); image files skip all-zero chunks, so they stay sparse. A target that errors,
// vanishes or stalls is failed on its own; the others go on. The slowest live target sets the pace.
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { deviceGone, removedMessage, type TargetCtx } from '../context.ts';
import { CHUNK_BYTES, directBuffer, padForDirect, plainBuffer } from './aligned.ts';
import { inlineHasher, threadHasher, type ChunkHasher } from './hasher.ts';
import type { ChunkReader } from './reader.ts';

/** A write that takes longer than this means the stick stopped responding. */
export const STALL_MS = 60_000;
/** Chunks written concurrently (the buffers in use are one more: the chunk being read). */
export const PIPELINE_DEPTH = 3;

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
}

export interface FanoutResult {
  bytes: number;
  sha256: string;
}

const ZERO = Buffer.alloc(CHUNK_BYTES);

async function openSink(s: FanoutSink, wantDirect: boolean): Promise<OpenSink> {
  const sparse = s.ctx.target.kind !== 'device';
  if (wantDirect) {
    // Image files too, where the filesystem takes O_DIRECT (ext4, xfs, btrfs; not tmpfs): a fresh sparse
    // file still gets only the chunks that hold data.
    try {
      return { ...s, direct: await open(s.ctx.disk, constants.O_WRONLY | constants.O_DIRECT), buffered: null, sparse, written: 0 };
    } catch {
      /* buffered below */
    }
  }
  return { ...s, direct: null, buffered: await open(s.ctx.disk, constants.O_WRONLY), sparse, written: 0 };
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
  for (let i = 0; probe && i <= PIPELINE_DEPTH; i++) {
    const b = directBuffer(probe.ctx.disk, CHUNK_BYTES, zeroWriteAt, true);
    if (!b) break;
    direct.push(b);
  }
  if (direct.length === PIPELINE_DEPTH + 1) return { bufs: direct, direct: true };
  return { bufs: Array.from({ length: PIPELINE_DEPTH + 1 }, () => plainBuffer(CHUNK_BYTES, true)), direct: false };
}

function startHasher(): ChunkHasher {
  try {
    return threadHasher();
  } catch {
    return inlineHasher();
  }
}

/** Sends one chunk to every live sink; failures are recorded on the sink's target, never thrown. */
function sendChunk(open: OpenSink[], buf: Buffer, len: number, pos: number): Promise<unknown> {
  const zero = buf.compare(ZERO, 0, len, 0, len) === 0;
  return Promise.all(
    open
      .filter((s) => s.ctx.alive)
      .map(async (s) => {
        try {
          if (deviceGone(s.ctx)) throw new Error(removedMessage(s.ctx.phase));
          await withStall(writeChunk(s, buf, len, pos, zero), STALL_MS);
        } catch (err) {
          s.ctx.fail(err);
        }
      }),
  );
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
  const inflight: Promise<unknown>[] = [];
  let pos = 0;
  try {
    for (let i = 0; ; i++) {
      if (jobSignal.aborted) throw Object.assign(new Error('cancelled'), { cancelled: true });
      if (!open.some((s) => s.ctx.alive)) break;
      // At most PIPELINE_DEPTH chunks in flight: buffer i % (depth + 1) is free again.
      if (inflight.length >= PIPELINE_DEPTH) await inflight.shift();
      const buf = bufs[i % bufs.length]!;
      const len = await reader.read(buf);
      if (len === 0) break;
      // The buffer is free again once every target wrote it and the hasher read it.
      inflight.push(Promise.all([sendChunk(open, buf, len, pos), hasher.update(buf.subarray(0, len))]));
      pos += len;
      if (len < buf.length) break;
    }
    await Promise.all(inflight);
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
    void hasher.close();
    // A stalled write may never return: do not wait for its handles.
    for (const s of open) {
      void s.direct?.close().catch(() => undefined);
      void s.buffered?.close().catch(() => undefined);
    }
  }
}
