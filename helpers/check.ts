// The facts the drive safety rules need, gathered from the system: lsblk, losetup, and the disks that hold
// the running system and the image source (following loop devices to their backing files' disks); for an
// image-file target, its real folder and what is at its path now.
import { constants } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ExistingImageFile } from '../src-shared/drives/image-file-target.ts';
import { parseLosetup, parseLsblk, type LsblkDevice } from '../src-shared/drives/inventory.ts';
import { topLevelDisk, type SafetyFacts } from '../src-shared/drives/safety.ts';
import { run } from './tools/run.ts';

async function mountSource(path: string): Promise<string | null> {
  try {
    const { stdout } = await run('findmnt', ['-n', '-o', 'SOURCE', '-T', path]);
    // Btrfs shows "/dev/sdb2[/@home]".
    return stdout.trim().replace(/\[.*\]$/, '') || null;
  } catch {
    return null;
  }
}

/** Top-level disks under `path`, through loop devices (a file on a filesystem on a loop over a file on a disk…). */
export async function disksHolding(path: string, devices: LsblkDevice[], loops: Map<string, string>, depth = 0): Promise<string[]> {
  if (depth > 8) return [];
  const src = await mountSource(path);
  if (!src || !src.startsWith('/dev/')) return [];
  const dev = await realpath(src).catch(() => src);
  const top = topLevelDisk(devices, dev) ?? topLevelDisk(devices, src);
  if (!top) return [];
  const backing = loops.get(top);
  return backing ? [top, ...(await disksHolding(backing, devices, loops, depth + 1))] : [top];
}

export async function gatherFacts(sourcePaths: string[]): Promise<SafetyFacts> {
  const [lsblkOut, loopOut] = await Promise.all([
    run('lsblk', ['--json', '-b', '-O', '--paths']),
    run('losetup', ['--list', '--json']).catch(() => ({ stdout: '' })),
  ]);
  const devices = parseLsblk(lsblkOut.stdout);
  const loopBacking = parseLosetup(loopOut.stdout);
  const extraSystemDisks = new Set<string>();
  for (const p of ['/', '/boot', '/usr']) for (const d of await disksHolding(p, devices, loopBacking)) extraSystemDisks.add(d);
  const sourceDisks = new Set<string>();
  for (const p of sourcePaths) for (const d of await disksHolding(p, devices, loopBacking)) sourceDisks.add(d);
  return { devices, loopBacking, extraSystemDisks: [...extraSystemDisks], sourceDisks: [...sourceDisks], sourcePaths };
}

/** Whether a path names a block device (a "device" target must; an "image-file" target must not). */
export async function isBlockDevice(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isBlockDevice() ?? false;
}

export interface ImageFileFacts {
  /** The path with its folder resolved (symlinks, ..): the rules are checked, and the file written, there. */
  path: string;
  folderExists: boolean;
  existing: ExistingImageFile;
}

const HEAD_BYTES = 1024;

/**
 * Where an image-file target really is and what is there now. The folder is resolved so that a symlinked
 * folder (~/out -> /etc) cannot lead the write into a system folder; the file itself is not followed (lstat),
 * and an existing file's first KiB is read (O_NOFOLLOW, so a link swapped in meanwhile is not read through).
 */
export async function imageFileFacts(given: string): Promise<ImageFileFacts> {
  const folder = await realpath(dirname(given)).catch(() => null);
  const folderExists = folder !== null && ((await stat(folder).catch(() => null))?.isDirectory() ?? false);
  const path = folder ? join(folder, basename(given)) : given;
  const st = await lstat(path).catch(() => null);
  const existing: ExistingImageFile = { kind: 'absent', sizeBytes: 0, head: new Uint8Array() };
  if (st?.isSymbolicLink()) existing.kind = 'symlink';
  else if (st && !st.isFile()) existing.kind = 'other';
  else if (st) {
    existing.kind = 'file';
    existing.sizeBytes = st.size;
    const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const head = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await fh.read(head, 0, HEAD_BYTES, 0);
      existing.head = head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }
  return { path, folderExists, existing };
}
