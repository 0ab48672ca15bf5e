// One read of the source feeds every target: each chunk (4 MiB) goes to every live target at every offset
// it needs (slot a and slot b). Where a read-back or a catch-up will compare them (FanoutOptions.chunkDigests),
// each chunk gets its xxHash3-128 digest on a worker thread (hash-workers.ts) while
// the next chunk is already being read and the previous ones written (both in libuv's threads), so reading,
// hashing and writing overlap; a sha256 of the whole stream, where a manifest wants one, runs on a worker thread
// (hasher.ts). Each target has its own write queue with up to WRITES_PER_TARGET writes in flight, and may run up
// to POOL_CHUNKS chunks ahead of the slowest one (chunk-pool.ts), so a stick that pauses does not pause the
// others; one that falls behind for good reads the source on its own (catch-up.ts), where it can be read again.
// Memory is the pool, whatever the stream's size. Block devices and image files get O_DIRECT where the kernel
// takes it (else buffered writes + fdatasync). All-zero chunks are skipped only on image files, which the
// wipe creates anew and sparse (their unwritten bytes read as zeros); a stick's old bytes are not zeros, so
// devices get every chunk. A target that errors, vanishes or stalls is failed on its own.
import { removedMessage } from '../context.ts';
import { CHUNK_BYTES, directBuffer, plainBuffer } from './aligned.ts';
import { laggard, leaveShared, mergeCaughtUp } from './catch-up.ts';
import { ChunkPool, type Chunk } from './chunk-pool.ts';
import { ChunkDigests } from './chunk-hash.ts';
import { goneSinceLastLook, openSink, STALL_MS, withStall, writeChunk, ZERO, type FanoutSink, type OpenSink } from './fanout-sink.ts';
import { inlineHasher, threadHasher, type ChunkHasher } from './hasher.ts';
import { workerChunkHasher } from './hash-workers.ts';
import type { ChunkReader } from './reader.ts';

export type { FanoutSink };

/** Chunk buffers in the pool: how far (× 4 MiB) the fastest target may run ahead of the slowest. */
export const POOL_CHUNKS = 12;
/** Writes one target may have in flight at once (a queue depth above one helps sticks and the kernel). */
export const WRITES_PER_TARGET = 2;

export interface FanoutResult {
  bytes: number;
  /** The chunk digests of what was read (and written), for the read-back to compare chunk by chunk; null when not taken. */
  chunks: ChunkDigests | null;
  /** sha256 of the whole stream, when asked for (`wantSha256`); else null. */
  sha256: string | null;
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
        if (goneSinceLastLook(s)) throw new Error(removedMessage(s.ctx.phase));
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

export interface FanoutOptions {
  /** Also the sha256 of the whole stream (only where a manifest or stamp names one). */
  sha256?: boolean;
  /**
   * The chunk digests of the stream (default true): for a read-back or a comparison with the source as measured.
   * Without them a single target's write hashes nothing; with two targets or more they are taken anyway, since a
   * target that falls behind and reads the source on its own is checked against them (see mergeCaughtUp).
   */
  chunkDigests?: boolean;
}

/**
 * Streams `reader` (expected `expectBytes` long) to every sink. Throws only for source failures or a job
 * cancel; target failures are recorded on their TargetCtx. `jobSignal` aborts everything.
 */
export async function fanOut(reader: ChunkReader, expectBytes: number | null, sinks: FanoutSink[], jobSignal: AbortSignal, opts: FanoutOptions = {}): Promise<FanoutResult> {
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
  const canCatchUp = open.length > 1 && !!reader.reopen;
  const digester = opts.chunkDigests !== false || canCatchUp ? await workerChunkHasher() : null;
  const chunks = digester ? new ChunkDigests() : null;
  if (digester) open[0]?.ctx.log('debug', `chunk digests on ${digester.workers} worker thread(s)`);
  // Each chunk's digest, in stream order, as the workers hand them back.
  const digests: { digest: Promise<Buffer>; len: number }[] = [];
  // Zero chunks matter where they are skipped (fresh image files) or hashed (their digest is cached).
  const findZeros = !!digester || open.some((s) => s.sparse);
  const sha = opts.sha256 ? startHasher() : null;
  const pool = new ChunkPool(bufs);
  // A target failed from outside (cancel, a changed source) drops its queue at once.
  const onFail = () => open.forEach((s) => pump(s, pool));
  for (const s of open) s.ctx.signal.addEventListener('abort', onFail, { once: true });
  let hashError: unknown = null;
  let pos = 0;
  let ended = false;
  // One read in flight ahead: the next chunk is read while this one is hashed and queued.
  const readNext = async (): Promise<{ index: number; len: number }> => {
    while (pool.freeCount === 0) {
      const slow = laggard(open, pool, reader);
      if (slow) leaveShared(slow, pool, reader, sinks, direct, pos);
      else await Promise.race([pool.someFree(), new Promise((r) => setTimeout(r, 50))]);
    }
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
      const live = open.filter((s) => s.ctx.alive && !s.solo);
      if (live.length === 0) break;
      const { index, len } = await next;
      next = null;
      const buf = bufs[index]!;
      if (len === 0) {
        pool.release(index);
        ended = true;
        break;
      }
      if (len === buf.length) next = readNext();
      const data = buf.subarray(0, len);
      const zero = findZeros && data.compare(ZERO, 0, len) === 0;
      const chunk: Chunk = { index, buf, len, pos, zero, pending: live.length + (sha ? 1 : 0) + (digester ? 1 : 0) };
      const hashed = (p: Promise<unknown>) =>
        p.then(
          () => pool.done(chunk),
          (err: unknown) => {
            hashError = err;
            pool.done(chunk);
          },
        );
      if (sha) void hashed(sha.update(data));
      if (digester) {
        const digest = digester.digest(data, zero);
        digests.push({ digest, len });
        void hashed(digest);
      }
      for (const s of live) {
        s.queue.push(chunk);
        pump(s, pool);
      }
      pos += len;
      if (!next) {
        ended = true;
        break;
      }
    }
    if (next) {
      // Left early (every target failed): the read ahead still gives its buffer back.
      const { index } = await next;
      next = null;
      pool.release(index);
    }
    await pool.drained();
    if (hashError) throw hashError;
    for (const d of digests) chunks!.push(await d.digest, d.len);
    if (ended && expectBytes !== null && pos !== expectBytes && open.some((s) => s.ctx.alive)) {
      throw new Error(`the source ended after ${pos} bytes, expected ${expectBytes}`);
    }
    const shaHex = sha ? await sha.digest() : null;
    // Each target is flushed and handed on as soon as it has everything: the fast ones do not wait for one
    // catching up on its own.
    await Promise.all(
      open.map(async (s) => {
        let got: ChunkDigests | null = chunks;
        if (s.solo) {
          got = mergeCaughtUp(s, chunks!, await s.solo, ended);
          if (!got) return;
        }
        if (!s.ctx.alive) return;
        try {
          await withStall(Promise.all([s.direct?.datasync(), s.buffered?.datasync()]), STALL_MS);
          if (s.ctx.alive) await s.onDone?.(got);
        } catch (err) {
          s.ctx.fail(err);
        }
      }),
    );
    return { bytes: pos, chunks, sha256: shaHex };
  } finally {
    void next?.catch(() => undefined);
    // A cancel or source failure: wait for targets catching up alone to stop, so their handles close after them.
    await Promise.all(open.map((s) => s.solo?.catch(() => undefined)));
    for (const s of open) s.ctx.signal.removeEventListener('abort', onFail);
    void sha?.close();
    void digester?.close();
    // A stalled write may never return: do not wait for its handles.
    for (const s of open) {
      void s.direct?.close().catch(() => undefined);
      void s.buffered?.close().catch(() => undefined);
    }
  }
}
