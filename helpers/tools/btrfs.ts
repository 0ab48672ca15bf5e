// btrfs-progs: subvolumes, read-only snapshots, the read-only check.
import { run, type RunOptions } from './run.ts';

export async function subvolumeCreate(path: string, opts: RunOptions = {}): Promise<void> {
  await run('btrfs', ['subvolume', 'create', path], opts);
}

export async function snapshotReadOnly(source: string, dest: string, opts: RunOptions = {}): Promise<void> {
  await run('btrfs', ['subvolume', 'snapshot', '-r', source, dest], opts);
}

/** `btrfs check --readonly` on an unmounted device; throws ToolError on any problem. */
export async function checkReadonly(dev: string, opts: RunOptions = {}): Promise<void> {
  await run('btrfs', ['check', '--readonly', dev], opts);
}

export async function filesystemSync(mountDir: string, opts: RunOptions = {}): Promise<void> {
  await run('btrfs', ['filesystem', 'sync', mountDir], opts);
}
