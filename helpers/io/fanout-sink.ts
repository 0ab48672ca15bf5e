// One target of a fan-out: its handles (O_DIRECT while the kernel takes it, else buffered), its write queue,
// and the write of one chunk to every offset it needs. Shared by the fan-out (fanout.ts) and a target that
// catches up on its own (catch-up.ts).
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { deviceGone, type TargetCtx } from '../context.ts';
import { CHUNK_BYTES, padForDirect } from './aligned.ts';
import type { Chunk } from './chunk-pool.ts';
import type { ChunkDigests } from './chunk-hash.ts';

/** A write that takes longer than this means the stick stopped responding. */
export const STALL_MS = 60_000;

export const ZERO = Buffer.alloc(CHUNK_BYTES);

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

export interface OpenSink extends FanoutSink {
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

/** How often a target's device is looked at in /sys between writes (see goneSinceLastLook). */
export const GONE_CHECK_MS = 100;

/**
 * Whether the target's device went away, asked at most every GONE_CHECK_MS: deviceGone reads /sys (three
 * files, about 0.3 ms), which before every 4 MiB write was a tenth of a loop device's write CPU. A detached loop
 * still takes writes into its file, so this look is what stops them; a pulled stick fails its writes anyway.
 */
export function goneSinceLastLook(s: OpenSink): boolean {
  const now = Date.now();
  if (now - s.goneCheckedAt < GONE_CHECK_MS) return false;
  s.goneCheckedAt = now;
  return deviceGone(s.ctx);
}

export async function openSink(s: FanoutSink, wantDirect: boolean): Promise<OpenSink> {
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

export async function writeChunk(s: OpenSink, buf: Buffer, len: number, pos: number, zero: boolean): Promise<void> {
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

export function withStall<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stall = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('no write finished for a minute'), { stalled: true })), ms);
  });
  return Promise.race([p, stall]).finally(() => clearTimeout(timer));
}
