// One read of the source feeds every target: each chunk (4 MiB, double-buffered so the next read overlaps
// the writes) goes to every live target at every offset it needs (slot a and slot b), hashed once on the
// way. Block devices get O_DIRECT when the kernel takes it (falling back to buffered writes + fdatasync);
// image files get positional writes that skip all-zero chunks, so they stay sparse. A target that errors,
// vanishes or stalls is failed on its own; the others go on.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { deviceGone, removedMessage, type TargetCtx } from '../context.ts';
import { CHUNK_BYTES, directBuffer, padForDirect, plainBuffer } from './aligned.ts';
import type { ChunkReader } from './reader.ts';

/** A write that takes longer than this means the stick stopped responding. */
export const STALL_MS = 60_000;

export interface FanoutSink {
  ctx: TargetCtx;
  /** Byte offsets on the target where the stream goes (one per slot). */
  offsets: number[];
  /** Called with this sink's bytes written so far (offsets × stream bytes). */
  onProgress?: (bytes: number) => void;
}

interface OpenSink extends FanoutSink {
  fh: FileHandle;
  direct: boolean;
  sparse: boolean;
  written: number;
}

export interface FanoutResult {
  bytes: number;
  sha256: string;
}

const ZERO = Buffer.alloc(CHUNK_BYTES);

async function openSink(s: FanoutSink, wantDirect: boolean): Promise<OpenSink> {
  const isDevice = s.ctx.target.kind === 'device';
  if (wantDirect) {
    // Image files too, where the filesystem takes O_DIRECT (ext4, xfs, btrfs; not tmpfs): a fresh sparse
    // file still gets only the chunks that hold data.
    try {
      const fh = await open(s.ctx.disk, constants.O_WRONLY | constants.O_DIRECT);
      return { ...s, fh, direct: true, sparse: !isDevice, written: 0 };
    } catch {
      /* buffered below */
    }
  }
  const fh = await open(s.ctx.disk, constants.O_WRONLY);
  return { ...s, fh, direct: false, sparse: !isDevice, written: 0 };
}

async function writeAll(fh: FileHandle, buf: Buffer, len: number, position: number): Promise<void> {
  let done = 0;
  while (done < len) {
    const { bytesWritten } = await fh.write(buf, done, len - done, position + done);
    if (bytesWritten <= 0) throw Object.assign(new Error('the device accepted no more data'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}

async function writeChunk(s: OpenSink, buf: Buffer, len: number, pos: number, zero: boolean): Promise<void> {
  for (const base of s.offsets) {
    if (s.sparse && zero) continue;
    if (s.direct) {
      try {
        await writeAll(s.fh, buf, padForDirect(buf, len), base + pos);
        continue;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
        // The kernel refused O_DIRECT here: the rest goes buffered.
        s.ctx.log('debug', `O_DIRECT refused on ${s.ctx.disk}; using buffered writes`);
        await s.fh.close();
        s.fh = await open(s.ctx.disk, constants.O_WRONLY);
        s.direct = false;
      }
    }
    await writeAll(s.fh, buf, len, base + pos);
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

/**
 * Streams `reader` (expected `expectBytes` long) to every sink. Throws only for source failures or a job
 * cancel; target failures are recorded on their TargetCtx. `jobSignal` aborts everything.
 */
export async function fanOut(reader: ChunkReader, expectBytes: number | null, sinks: FanoutSink[], jobSignal: AbortSignal): Promise<FanoutResult> {
  const probe = sinks.find((s) => s.ctx.target.kind === 'device') ?? sinks[0];
  const a = (probe && directBuffer(probe.ctx.disk)) || null;
  const b = a && probe ? directBuffer(probe.ctx.disk) : null;
  const bufs: [Buffer, Buffer] = a && b ? [a, b] : [plainBuffer(), plainBuffer()];
  const open: OpenSink[] = [];
  for (const s of sinks) {
    if (!s.ctx.alive) continue;
    try {
      const o = await openSink(s, !!(a && b));
      s.ctx.log('debug', `writing ${o.direct ? 'with O_DIRECT' : o.sparse ? 'sparse, buffered' : 'buffered'} to ${s.ctx.disk}`);
      open.push(o);
    } catch (err) {
      s.ctx.fail(err);
    }
  }
  const hash = createHash('sha256');
  let pos = 0;
  try {
    let cur = 0;
    let len = await reader.read(bufs[cur]!);
    while (len > 0) {
      if (jobSignal.aborted) throw Object.assign(new Error('cancelled'), { cancelled: true });
      const buf = bufs[cur]!;
      const zero = buf.compare(ZERO, 0, len, 0, len) === 0;
      const live = open.filter((s) => s.ctx.alive);
      if (live.length === 0) break;
      const next = len === buf.length ? reader.read(bufs[1 - cur]!) : Promise.resolve(0);
      // Writes and the next read run in the thread pool while this thread hashes the chunk.
      const writes = Promise.all(
        live.map(async (s) => {
          try {
            if (deviceGone(s.ctx)) throw new Error(removedMessage(s.ctx.phase));
            await withStall(writeChunk(s, buf, len, pos, zero), STALL_MS);
          } catch (err) {
            s.ctx.fail(err);
          }
        }),
      );
      hash.update(buf.subarray(0, len));
      await writes;
      pos += len;
      cur = 1 - cur;
      len = await next;
    }
    if (expectBytes !== null && pos !== expectBytes && open.some((s) => s.ctx.alive)) {
      throw new Error(`the source ended after ${pos} bytes, expected ${expectBytes}`);
    }
    await Promise.all(
      open
        .filter((s) => s.ctx.alive)
        .map(async (s) => {
          try {
            await withStall(s.fh.datasync(), STALL_MS);
          } catch (err) {
            s.ctx.fail(err);
          }
        }),
    );
    return { bytes: pos, sha256: hash.digest('hex') };
  } finally {
    // A stalled write may never return: do not wait for its handle.
    for (const s of open) void s.fh.close().catch(() => undefined);
  }
}
