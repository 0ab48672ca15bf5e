// The facts the drive safety rules need, gathered from the system: lsblk, the loops in /sys, and the disks that hold
// the running system and the image source (following loop devices to their backing files' disks); for an
// image-file target, its real folder and what is at its path now.
import { realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { BusyFacts } from '../src-shared/drives/busy.ts';
import type { ExistingImageFile } from '../src-shared/drives/image-file-target.ts';
import { parseLsblk, type LsblkDevice } from '../src-shared/drives/inventory.ts';
import { topLevelDisk, type SafetyFacts } from '../src-shared/drives/safety.ts';
import { existingIn, holdFolder, roomIn, stageImage, type HeldFolder } from './image-file.ts';
import type { Source } from './source.ts';
import { cacheFitProblem, imageFileRoomProblem, leastBundleWrite, payloadProblem } from '../src-shared/drives/capacity.ts';
import type { PartitionPlan } from '../src-shared/layout/index.ts';
import { profileSlots, type ImageProfile } from '../src-shared/profile/profile-schema.ts';
import { run } from './tools/run.ts';
import { holdersFromSys, loopsFromSys } from './sys-block.ts';
import { mountSourceOf } from './mount-source.ts';

/** Top-level disks under `path`, through loop devices (a file on a filesystem on a loop over a file on a disk…). */
export async function disksHolding(path: string, devices: LsblkDevice[], loops: Map<string, string>, depth = 0): Promise<string[]> {
  if (depth > 8) return [];
  const src = mountSourceOf(path);
  if (!src || !src.startsWith('/dev/')) return [];
  const dev = await realpath(src).catch(() => src);
  const top = topLevelDisk(devices, dev) ?? topLevelDisk(devices, src);
  if (!top) return [];
  const backing = loops.get(top);
  return backing ? [top, ...(await disksHolding(backing, devices, loops, depth + 1))] : [top];
}

export async function gatherFacts(sourcePaths: string[]): Promise<SafetyFacts> {
  const devices = parseLsblk((await run('lsblk', ['--json', '-b', '-O', '--paths'])).stdout);
  // Each bound loop's backing file, from /sys as `losetup --list` reads it (without a process of its own).
  const loopBacking = new Map(loopsFromSys().map((l) => [l.dev, l.backing]));
  // Every path at once: the same disks, in the same order.
  const disksUnder = async (paths: string[]) => [...new Set((await Promise.all(paths.map((p) => disksHolding(p, devices, loopBacking)))).flat())];
  const [extraSystemDisks, sourceDisks] = await Promise.all([disksUnder(['/', '/boot', '/usr']), disksUnder(sourcePaths)]);
  return { devices, loopBacking, extraSystemDisks, sourceDisks, sourcePaths };
}

/** Whether a path names a block device (a "device" target must; an "image-file" target must not). */
export async function isBlockDevice(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isBlockDevice() ?? false;
}

export interface ImageFileFacts {
  /** The path in the folder's real place (as the kernel names the open folder): the rules are checked there. */
  path: string;
  folderExists: boolean;
  existing: ExistingImageFile;
  /** The folder, held open from here to the job's end: the image is created and written only through it. */
  folder: HeldFolder | null;
}

/**
 * Where an image-file target really is and what is there now. The folder is opened once (following the
 * links of the given path, as the user meant them) and its real path is read from the open folder, so that
 * a symlinked folder (~/out -> /etc) cannot lead the write into a system folder, and a folder swapped later
 * is not followed; the file itself is never followed (lstat, O_NOFOLLOW).
 */
export async function imageFileFacts(given: string): Promise<ImageFileFacts> {
  const folder = holdFolder(given);
  const folderExists = folder !== null && ((await stat(`/proc/self/fd/${folder.fd}`).catch(() => null))?.isDirectory() ?? false);
  const path = folder ? join(folder.realPath, basename(given)) : given;
  const existing: ExistingImageFile = folder ? existingIn(folder, basename(given)) : { kind: 'absent', sizeBytes: 0, head: new Uint8Array() };
  return { path, folderExists, existing, folder };
}

/** The busy facts of one target (image files: loops only; a file has no holders). */
export function busyFacts(target: { kind: 'device' | 'image-file'; path: string }, devices: LsblkDevice[]): BusyFacts {
  return { loops: loopsFromSys(), holders: target.kind === 'device' ? holdersFromSys(target.path) : [], devices };
}

/**
 * What would surely fail after writing began, found before the first byte (the same shared rules as the
 * app's): payload files larger than the payload partition; caches that do not fit the data partition with
 * Btrfs's overhead (cache-fit.ts), or a profile with no @caches for them; for an image file, too little room on
 * its filesystem, or a size its filesystem cannot hold (the new file is made at its full size beside the old one).
 */
export function upFrontProblems(
  target: { kind: 'device' | 'image-file'; path: string; sizeBytes: number },
  plan: PartitionPlan,
  profile: ImageProfile,
  folder: HeldFolder | null,
  what: { source: Source; payloadBytes: number[]; cacheBytes: number; cacheFiles: number },
): string[] {
  const out: string[] = [];
  const caches = cacheFitProblem(target, plan, { bytes: what.cacheBytes, files: what.cacheFiles });
  if (caches) out.push(caches);
  const payloadPart = plan.partitions.find((p) => p.role === 'payload');
  if (payloadPart && what.payloadBytes.length) {
    const p = payloadProblem(payloadPart.sizeBytes, payloadPart.filesystem, what.payloadBytes);
    if (p) out.push(`${target.path}: ${p}`);
  }
  if (target.kind !== 'image-file' || !folder) return out;
  const s = what.source;
  const least =
    s.kind === 'raw'
      ? s.imageBytes
      : leastBundleWrite({
          slots: Math.max(1, profileSlots(profile).length),
          rootfsBytes: s.manifest.rootfs.sizeBytes,
          verityBytes: s.manifest.verity?.sizeBytes ?? 0,
          otherFileBytes: Object.entries(s.manifest.files)
            .filter(([n]) => n !== s.manifest.rootfs.file && n !== s.manifest.verity?.hashFile)
            .reduce((sum, [, f]) => sum + f.sizeBytes, 0),
          payloadBytes: what.payloadBytes.reduce((a, b) => a + b, 0),
          cacheBytes: what.cacheBytes,
        });
  const room = imageFileRoomProblem(target.path, roomIn(folder, basename(target.path)), least);
  if (room) out.push(room);
  if (!out.length) {
    const staged = stageImage(folder, target.path, target.sizeBytes);
    if (staged) out.push(staged);
  }
  return out;
}
