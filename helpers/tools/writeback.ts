// Writeback that starts at once on a Btrfs mounted to be filled. Left alone, the kernel lets a filesystem gather
// dirty pages up to a share of the computer's memory (gigabytes) before it writes any back: a clone of a few
// hundred MiB onto a stick was read into memory first and then written in one long sync at the end, the two one
// after the other instead of side by side (the bench saw the Btrfs step take reading + writing time). A small
// dirty limit of the filesystem's own (its bdi's max_bytes, strict) makes writeback run while the source is still
// being read, and a copy's progress mean bytes on the stick. Best effort: without these sysfs files the copy
// only takes longer.
import { writeFile } from 'node:fs/promises';
import { run, type RunOptions } from './run.ts';

/** Dirty bytes one target's Btrfs may hold: a second or two of a slow stick's writing. */
export const DIRTY_LIMIT_BYTES = 64 * 1024 * 1024;

/** Limits the dirty page cache of the Btrfs on `dev` (mounted) to `bytes`; returns why not when it could not. */
export async function limitDirty(dev: string, bytes = DIRTY_LIMIT_BYTES, opts: RunOptions = {}): Promise<string | null> {
  const { stdout } = await run('blkid', ['-p', '-s', 'UUID', '-o', 'value', dev], opts);
  const bdi = `/sys/fs/btrfs/${stdout.trim()}/bdi`;
  try {
    await writeFile(`${bdi}/max_bytes`, String(bytes));
    await writeFile(`${bdi}/strict_limit`, '1');
    return null;
  } catch (err) {
    return `the dirty limit of ${dev} could not be set (${(err as Error).message}); writeback starts later`;
  }
}
