// Filesystem creation on a (loop) device covering exactly one partition.
import { run, type RunOptions } from './run.ts';

export async function mkfsBtrfs(dev: string, label: string, opts: RunOptions = {}): Promise<void> {
  await run('mkfs.btrfs', ['-f', '-q', '-L', label, dev], opts);
}

export async function mkfsExt4(dev: string, label: string, opts: RunOptions = {}): Promise<void> {
  await run('mkfs.ext4', ['-F', '-q', '-L', label, '-E', 'lazy_itable_init=0,lazy_journal_init=0', dev], opts);
}

/** `wipefs -a`: removes filesystem, RAID and partition-table signatures that libblkid knows. */
export async function wipefs(dev: string, opts: RunOptions = {}): Promise<void> {
  await run('wipefs', ['-a', '-f', dev], opts);
}
