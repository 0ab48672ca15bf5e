// Loop devices over a byte range of a disk image or block device: partition nodes do not appear for loop
// devices here, so each partition the helper formats or checks gets its own loop (offset + sizelimit).
import { run, type RunOptions } from './run.ts';

/** Attaches a loop device over [offset, offset+size) of `backing`; returns /dev/loopN. */
export async function attachLoop(backing: string, offset: number, size: number, opts: RunOptions & { readOnly?: boolean } = {}): Promise<string> {
  const args = ['-f', '--show', '-o', String(offset), '--sizelimit', String(size)];
  if (opts.readOnly) args.push('-r');
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
  opts: RunOptions & { readOnly?: boolean } = {},
): Promise<T> {
  const dev = await attachLoop(backing, offset, size, opts);
  try {
    return await fn(dev);
  } finally {
    await detachLoop(dev);
  }
}

