// Mounts in a private temporary directory, always unmounted and removed afterwards.
import { mkdtemp, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunOptions } from './run.ts';

export async function mount(dev: string, dir: string, options: string[] = [], opts: RunOptions = {}): Promise<void> {
  const args = options.length ? ['-o', options.join(','), dev, dir] : [dev, dir];
  await run('mount', args, opts);
}

export async function umount(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await run('umount', [dir]);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
    }
  }
  await run('umount', ['-l', dir]).catch(() => undefined);
}

export async function withMount<T>(dev: string, fn: (dir: string) => Promise<T>, options: string[] = [], opts: RunOptions = {}): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'iios-mnt-'));
  try {
    await mount(dev, dir, options, opts);
    try {
      return await fn(dir);
    } finally {
      await umount(dir);
    }
  } finally {
    await rmdir(dir).catch(() => undefined);
  }
}
