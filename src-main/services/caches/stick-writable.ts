// Writing to a stick's caches from `iios caches update`: the Btrfs partition that holds @caches through a
// read-write loop over its byte range (one loop per partition: no partition nodes are needed), and the stamp
// rewritten on the ESP through mtools (FAT is never mounted). Needs root, as every write to a stick does.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool } from '../run-tool.ts';
import { STAMP_PATH } from '../stick/stick-reader.ts';

export async function withWritableMount<T>(backing: string, offset: number, size: number, fn: (dir: string) => Promise<T>): Promise<T> {
  const { stdout } = await runTool('losetup', ['-f', '--show', '-o', String(offset), '--sizelimit', String(size), backing]);
  const dev = stdout.trim();
  if (!/^\/dev\/loop\d+$/.test(dev)) throw new Error(`losetup printed an unexpected device: ${dev}`);
  const dir = await mkdtemp(join(tmpdir(), 'iios-caches-'));
  try {
    await runTool('mount', ['-o', 'rw,noatime', dev, dir]);
    try {
      return await fn(dir);
    } finally {
      await runTool('umount', [dir]).catch(async () => runTool('umount', ['-l', dir]).catch(() => undefined));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    for (let i = 0; i < 5; i++) {
      if (await runTool('losetup', ['-d', dev]).then(() => true, () => false)) break;
      await new Promise((res) => setTimeout(res, 200 * (i + 1)));
    }
  }
}

/** The stamp written back onto the ESP at `espOffset` (same pretty JSON as the writer's). */
export async function writeStickStamp(disk: string, espOffset: number, stamp: Record<string, unknown>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'iios-stamp-'));
  try {
    const file = join(dir, 'stick.json');
    await writeFile(file, `${JSON.stringify(stamp, null, 2)}\n`);
    await runTool('mcopy', ['-o', '-i', `${disk}@@${espOffset}`, file, `::${STAMP_PATH}`], { env: { MTOOLS_SKIP_CHECK: '1' } });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
