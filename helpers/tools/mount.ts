// Mounts in a private temporary directory, always unmounted and removed afterwards.
import { mkdtemp, readFile, realpath, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunOptions } from './run.ts';

export async function mount(dev: string, dir: string, options: string[] = [], opts: RunOptions = {}): Promise<void> {
  const args = options.length ? ['-o', options.join(','), dev, dir] : [dev, dir];
  await run('mount', args, opts);
}

/** Whether `dir` is a mount point now (/proc/self/mountinfo, field 5; spaces there are written as \040). */
export async function isMountPoint(dir: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => null);
  const real = await realpath(dir).catch(() => null);
  // when in doubt it is mounted: the caller then tries again, as before
  if (info === null || real === null) return true;
  return info.split('\n').some((l) => l.split(' ')[4]?.replace(/\\040/g, ' ') === real);
}

export async function umount(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await run('umount', [dir]);
      return;
    } catch {
      // umount(8) can fail after the unmount itself succeeded (killed by the job's cancel when the app closes the
      // socket after `done`): retrying a folder that is no longer mounted only waited 4.5 s at every job's end
      if (!(await isMountPoint(dir))) return;
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
