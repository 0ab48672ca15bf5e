// Loop devices over a byte range of a disk image or block device: partition nodes do not appear for loop
// devices here, so each partition the helper formats or checks gets its own loop (offset + sizelimit).
import { run, type RunOptions } from './run.ts';

export interface LoopOptions extends RunOptions {
  readOnly?: boolean;
  /**
   * The loop's writes go straight to the stick, not into the stick's own page cache first. A filesystem being
   * filled through a buffered loop has two caches in a row: its writeback only moves the data into the second,
   * which the kernel writes out late (at a share of the computer's memory), so the whole copy waited for one
   * long sync at the end (the clone bench: 18 s of 36 s at 40 MB/s).
   */
  directIo?: boolean;
}

/** Attaches a loop device over [offset, offset+size) of `backing`; returns /dev/loopN. */
export async function attachLoop(backing: string, offset: number, size: number, opts: LoopOptions = {}): Promise<string> {
  const args = ['-f', '--show', '-o', String(offset), '--sizelimit', String(size)];
  if (opts.readOnly) args.push('-r');
  // the kernel falls back to buffered I/O by itself where the backing refuses direct I/O
  if (opts.directIo) args.push('--direct-io=on');
  args.push(backing);
  const { stdout } = await run('losetup', args, opts);
  const dev = stdout.trim();
  if (!/^\/dev\/loop\d+$/.test(dev)) throw new Error(`losetup printed an unexpected device: ${dev}`);
  return dev;
}

/** Detaches one loop device this helper created; never throws (cleanup path). */
export async function detachLoop(dev: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await run('losetup', ['-d', dev]);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
  }
}

/** Runs fn with a loop over the range and always detaches it afterwards. */
export async function withLoop<T>(
  backing: string,
  offset: number,
  size: number,
  fn: (dev: string) => Promise<T>,
  opts: LoopOptions = {},
): Promise<T> {
  const dev = await attachLoop(backing, offset, size, opts);
  try {
    return await fn(dev);
  } finally {
    await detachLoop(dev);
  }
}

