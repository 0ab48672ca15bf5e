// One read of the source feeds every target: each chunk (4 MiB) goes to every live target at every offset
// it needs (slot a and slot b). Where a read-back or a catch-up will compare them (FanoutOptions.chunkDigests),
// each chunk gets its xxHash3-128 digest on a worker thread (hash-workers.ts) while
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
import { deviceGone, FailureError, removedMessage, type TargetCtx } from '../context.ts';
import { CHUNK_BYTES, directBuffer, padForDirect, plainBuffer } from './aligned.ts';
import { ChunkPool, type Chunk } from './chunk-pool.ts';
import { chunkHasher, ChunkDigests } from './chunk-hash.ts';
import { inlineHasher, threadHasher, type ChunkHasher } from './hasher.ts';
import { workerChunkHasher } from './hash-workers.ts';
import type { ChunkReader } from './reader.ts';

/** How often a target's device is looked at in /sys between writes (see goneSinceLastLook). */
export const GONE_CHECK_MS = 100;

/**
 * Whether the target's device went away, asked at most every GONE_CHECK_MS: deviceGone reads /sys (three
 * files, about 0.3 ms), which before every 4 MiB write was a tenth of a loop device's write CPU. A detached loop
 * still takes writes into its file, so this look is what stops them; a pulled stick fails its writes anyway.
 */
function goneSinceLastLook(s: OpenSink): boolean {
  const now = Date.now();
  if (now - s.goneCheckedAt < GONE_CHECK_MS) return false;
  s.goneCheckedAt = now;
  return deviceGone(s.ctx);
}

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
  /**
   * Called once this target has all the bytes and they are flushed, at its own pace (a fast target need not
   * wait for a slow one to verify), with the digests of what it got (null when none were taken, see
   * FanoutOptions.chunkDigests). Not called for a target that failed.
   */
  onDone?: (chunks: ChunkDigests | null) => Promise<void>;
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
  /** Set once the target fell behind and reads the source on its own (see catchUp). */
  solo: Promise<ChunkDigests | null> | null;
  /** The chunk it reads alone from. */
  soloFrom: number;
  /** When deviceGone was last asked for this target (see goneSinceLastLook). */
  goneCheckedAt: number;
}

export interface FanoutResult {
  bytes: number;
  /** The chunk digests of what was read (and written), for the read-back to compare chunk by chunk; null when not taken. */
  chunks: ChunkDigests | null;
  /** sha256 of the whole stream, when asked for (`wantSha256`); else null. */
  sha256: string | null;
}

const ZERO = Buffer.alloc(CHUNK_BYTES);

async function openSink(s: FanoutSink, wantDirect: boolean): Promise<OpenSink> {
  // Only a fresh image file is known to read back zeros where nothing was written (wipe.ts creates it anew);
  // a slot rewritten in place keeps its zeros (keepZeros), or old bytes would show through.
  const sparse = s.ctx.target.kind === 'image-file' && !s.keepZeros;
  if (wantDirect) {
    // Image files too, where the filesystem takes O_DIRECT (ext4, xfs, btrfs; not tmpfs): a fresh sparse
    // file still gets only the chunks that hold data.
    try {
      return { ...s, direct: await open(s.ctx.disk, constants.O_WRONLY | constants.O_DIRECT), buffered: null, sparse, written: 0, queue: [], active: 0, solo: null, soloFrom: 0, goneCheckedAt: 0 };
    } catch {
      /* buffered below */
    }
  }
  return { ...s, direct: null, buffered: await open(s.ctx.disk, constants.O_WRONLY), sparse, written: 0, queue: [], active: 0, solo: null, soloFrom: 0, goneCheckedAt: 0 };
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

/**
 * A target that fell behind the pool reads the stream on its own from `pos` (the chunk it needs next), with
 * two buffers of its own: one written while the other is read. It hashes what it writes, so the caller can
 * compare with the shared stream's digests (the same source read twice must give the same bytes). Returns
 * the digests of its chunks from `pos` on, or null when the target failed.
 */
async function catchUp(s: OpenSink, src: ChunkReader, pos: number, bufs: Buffer[]): Promise<ChunkDigests | null> {
  const hasher = await chunkHasher();
  const mine = new ChunkDigests();
  try {
    let i = 0;
    let reading: Promise<number> | null = src.read(bufs[0]!);
    while (reading && s.ctx.alive) {
      const len: number = await reading;
      if (len === 0) break;
      const buf = bufs[i % 2]!;
      const data = buf.subarray(0, len);
      const zero = data.compare(ZERO, 0, len) === 0;
      mine.push(hasher.digest(data, zero), len);
      // Wait for the shared stream's writes of earlier chunks, so at most two writes are in flight.
      while (s.active > 0 && s.ctx.alive) await new Promise((r) => setTimeout(r, 20));
      if (goneSinceLastLook(s)) throw new Error(removedMessage(s.ctx.phase));
      const write = withStall(writeChunk(s, buf, len, pos, zero), STALL_MS);
      reading = len === buf.length ? src.read(bufs[(i + 1) % 2]!) : null;
      await write;
      pos += len;
      i++;
    }
    return s.ctx.alive ? mine : null;
  } catch (err) {
    s.ctx.fail(err);
    return null;
  } finally {
    await src.close().catch(() => undefined);
  }
}

/** Two write buffers of the pool's kind (O_DIRECT-aligned when the pool is) for a target catching up alone. */
function bufferPair(sinks: FanoutSink[], direct: boolean): Buffer[] {
  const probe = sinks.find((s) => s.ctx.target.kind === 'device') ?? sinks[0];
  const zeroWriteAt = probe?.ctx.target.kind === 'image-file' ? probe.offsets[0] : undefined;
  const pair = direct && probe ? [0, 1].map(() => directBuffer(probe.ctx.disk, CHUNK_BYTES, zeroWriteAt)) : [];
  return pair.length === 2 && pair.every((b) => b) ? (pair as Buffer[]) : [plainBuffer(), plainBuffer()];
}

/**
 * The digests a target that caught up alone got: the shared stream's up to where it left, its own after. Where
 * both read a chunk they must agree, or the source changed between the two reads and the target is failed.
 */
function mergeCaughtUp(s: OpenSink, shared: ChunkDigests, own: ChunkDigests | null, sharedEnded: boolean): ChunkDigests | null {
  if (!own) return null;
  const from = s.soloFrom;
  const merged = new ChunkDigests();
  for (let i = 0; i < from; i++) merged.push(shared.list[i]!, CHUNK_BYTES);
  for (const [k, d] of own.list.entries()) {
    const theirs = shared.list[from + k];
    if (theirs && !theirs.equals(d)) {
      const byte = (from + k) * CHUNK_BYTES;
      s.ctx.fail(new FailureError(`the source read differently the second time at byte ${byte}: it changed while it was written`, { key: 'source-changed', byte }));
      return null;
    }
    merged.push(d, Math.min(CHUNK_BYTES, own.bytes - k * CHUNK_BYTES));
  }
  if (sharedEnded && merged.bytes !== shared.bytes) {
    s.ctx.fail(new Error(`the source ended after ${merged.bytes} bytes on the second read, ${shared.bytes} on the first`));
    return null;
  }
  return merged;
}

/** The sink whose backlog holds the pool while another target waits idle, when it can read the source itself. */
function laggard(open: OpenSink[], pool: ChunkPool, reader: ChunkReader): OpenSink | null {
  if (!reader.reopen || pool.freeCount > 0) return null;
  const shared = open.filter((s) => s.ctx.alive && !s.solo);
  if (!shared.some((s) => s.queue.length === 0 && s.active === 0)) return null;
  const slow = shared.reduce((a, b) => (b.queue.length > a.queue.length ? b : a));
  return slow.queue.length >= 2 ? slow : null;
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
  // A lagging target leaves the shared stream (its queued chunks go back to the pool) and catches up alone.
  const detach = (s: OpenSink) => {
    const from = s.queue[0]!.pos;
    for (const c of s.queue.splice(0)) pool.done(c);
    s.ctx.log('info', `${s.ctx.disk} fell ${Math.round((pos - from) / 2 ** 20)} MiB behind the others: it reads the source on its own from byte ${from}`);
    const own = bufferPair(sinks, direct);
    s.soloFrom = from / CHUNK_BYTES;
    s.solo = reader.reopen!(from).then((src) => catchUp(s, src, from, own), (err: unknown) => (s.ctx.fail(err), null));
  };
  // One read in flight ahead: the next chunk is read while this one is hashed and queued.
  const readNext = async (): Promise<{ index: number; len: number }> => {
    while (pool.freeCount === 0) {
      const slow = laggard(open, pool, reader);
      if (slow) detach(slow);
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
