// The few external tools the app itself runs to read a stick back, through the app's runner (run-tool.ts; the
// helper has its own, and the app reads independently of the writer): a read-only loop per partition range.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool, runToolBuffer, ToolError, type ToolOptions } from '../run-tool.ts';

export { ToolError as ReadToolError, type ToolOptions };

/** A tool run to completion (the app's one runner, run-tool.ts). */
export const tool = (file: string, args: string[], opts: ToolOptions = {}) => runTool(file, args, opts);
export const toolBuffer = (file: string, args: string[], opts: ToolOptions = {}) => runToolBuffer(file, args, opts);

const mtoolsEnv = { MTOOLS_SKIP_CHECK: '1' };

/** Reads one file off a FAT filesystem at a byte offset of a disk or image (`disk@@offset`), without mounting. */
export function fatReadFile(disk: string, offset: number, fatPath: string, opts: ToolOptions = {}): Promise<Buffer> {
  return toolBuffer('mcopy', ['-n', '-i', `${disk}@@${offset}`, `::${fatPath}`, '-'], { ...opts, env: mtoolsEnv });
}

/** Runs fn with a read-only loop device over [offset, offset+size) of `backing`, always detached afterwards. */
export async function withReadOnlyLoop<T>(backing: string, offset: number, size: number, fn: (dev: string) => Promise<T>): Promise<T> {
  const { stdout } = await tool('losetup', ['-f', '--show', '-r', '-o', String(offset), '--sizelimit', String(size), backing]);
  const dev = stdout.trim();
  if (!/^\/dev\/loop\d+$/.test(dev)) throw new Error(`losetup printed an unexpected device: ${dev}`);
  try {
    return await fn(dev);
  } finally {
    for (let i = 0; i < 5; i++) {
      const r = await runTool('losetup', ['-d', dev]).catch(() => null);
      if (r) break;
      await new Promise((res) => setTimeout(res, 200 * (i + 1)));
    }
  }
}

/** Mounts the filesystem in [offset, offset+size) of `backing` read-only at a temp dir for fn; always undone. */
export async function withReadOnlyMount<T>(backing: string, offset: number, size: number, fn: (dir: string) => Promise<T>): Promise<T> {
  return withReadOnlyLoop(backing, offset, size, async (dev) => {
    const dir = await mkdtemp(join(tmpdir(), 'iios-read-'));
    try {
      await tool('mount', ['-o', 'ro', dev, dir]);
      try {
        return await fn(dir);
      } finally {
        await runTool('umount', [dir]).catch(() => undefined);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
