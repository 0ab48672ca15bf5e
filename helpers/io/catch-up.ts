// A target that falls behind the others leaves the fan-out's shared buffers and reads the source on its own, so
// a slow stick holds back no one (issue 17: in a hub of twenty, one bad stick delays only itself). It is chosen
// when the pool is full, another target waits idle and the source can be read again (image files, plain raw
// images; a decompressor's stream cannot). What it reads alone is hashed and must agree with the shared
// stream's digests where both read a chunk: the same source read twice must give the same bytes.
import { FailureError, removedMessage } from '../context.ts';
import { CHUNK_BYTES, directBuffer, plainBuffer } from './aligned.ts';
import type { ChunkPool } from './chunk-pool.ts';
import { chunkHasher, ChunkDigests } from './chunk-hash.ts';
import { goneSinceLastLook, STALL_MS, withStall, writeChunk, ZERO, type FanoutSink, type OpenSink } from './fanout-sink.ts';
import type { ChunkReader } from './reader.ts';

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
export function mergeCaughtUp(s: OpenSink, shared: ChunkDigests, own: ChunkDigests | null, sharedEnded: boolean): ChunkDigests | null {
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
export function laggard(open: OpenSink[], pool: ChunkPool, reader: ChunkReader): OpenSink | null {
  if (!reader.reopen || pool.freeCount > 0) return null;
  const shared = open.filter((s) => s.ctx.alive && !s.solo);
  if (!shared.some((s) => s.queue.length === 0 && s.active === 0)) return null;
  const slow = shared.reduce((a, b) => (b.queue.length > a.queue.length ? b : a));
  return slow.queue.length >= 2 ? slow : null;
}

/**
 * Takes `s` off the shared stream (its queued chunks go back to the pool) and starts it reading the source on its
 * own from the first chunk it still needs; `pos`: how far the shared stream has read.
 */
export function leaveShared(s: OpenSink, pool: ChunkPool, reader: ChunkReader, sinks: FanoutSink[], direct: boolean, pos: number): void {
  const from = s.queue[0]!.pos;
  for (const c of s.queue.splice(0)) pool.done(c);
  s.ctx.log('info', `${s.ctx.disk} fell ${Math.round((pos - from) / 2 ** 20)} MiB behind the others: it reads the source on its own from byte ${from}`);
  const own = bufferPair(sinks, direct);
  s.soloFrom = from / CHUNK_BYTES;
  s.solo = reader.reopen!(from).then((src) => catchUp(s, src, from, own), (err: unknown) => (s.ctx.fail(err), null));
}
