// When a target is in use by something other than a mount of its own partitions: a loop device backed by it
// (over the whole of it, or a range of it, as iios itself attaches one per partition), or a kernel holder
// (device-mapper, md, a swap on it) listed in /sys/block/<disk>/holders and its partitions' holders. Writing
// under any of them destroys a filesystem someone still uses. Pure: each side (the app before the password
// prompt, the helper before writing) reads the facts — /sys/block/loopN/loop/{backing_file,offset,sizelimit},
// /sys/block/X/holders, lsblk for the loops' mounts — and this decides.
import type { LsblkDevice } from './inventory.ts';
import type { BusyProblem } from './rule-problems.ts';

export interface LoopOver {
  dev: string;
  /** backing_file as the kernel reports it (" (deleted)" removed). */
  backing: string;
  offset: number;
  /** 0: to the end of the backing file or device. */
  sizeLimit: number;
}

export interface BusyFacts {
  loops: LoopOver[];
  /** Holders of the target and of its partitions (names as in /sys/block/X/holders: dm-0, md127). */
  holders: string[];
  /** lsblk's devices, for the mount points of the loops over the target (a loop's own partitions too). */
  devices: LsblkDevice[];
}

export interface BusyVerdict {
  /** `message`: English, for the helper's log; `said`: typed, for the reader's language (rule-words.ts). */
  problems: { code: 'mounted'; message: string; said: BusyProblem }[];
  /** With unmounting allowed: the loops' mount points to unmount (deepest first), then the loops to detach. */
  unmount: string[];
  detach: string[];
}

const mountsOf = (d: LsblkDevice): string[] => [...d.children.flatMap(mountsOf), ...d.mountpoints];

function range(l: LoopOver): string {
  if (l.offset === 0 && l.sizeLimit === 0) return 'all of it';
  const end = l.sizeLimit ? `${l.offset + l.sizeLimit}` : 'the end';
  return `bytes ${l.offset}–${end} of it`;
}

/**
 * Whether `targetPath` (a whole device, or an image file's real path) is busy. Loops over it can be cleaned
 * with unmounting allowed (their mounts unmounted, then the loops detached, then the target re-checked);
 * holders are never cleaned here: the user stops what holds the disk.
 */
export function busyVerdict(targetPath: string, facts: BusyFacts, opts: { unmountIfMounted: boolean }): BusyVerdict {
  const problems: BusyVerdict['problems'] = [];
  const loops = facts.loops.filter((l) => l.backing === targetPath);
  const unmount: string[] = [];
  for (const l of loops) {
    const dev = facts.devices.find((d) => d.name === l.dev);
    const mounts = dev ? mountsOf(dev).filter((m) => m.startsWith('/')) : [];
    unmount.push(...mounts);
    if (!opts.unmountIfMounted) {
      const where = mounts.length ? `, mounted at ${mounts.join(', ')}` : '';
      problems.push({
        code: 'mounted',
        message: `${targetPath} is in use: loop device ${l.dev} covers ${range(l)}${where}; detach it first (losetup -d ${l.dev}) or allow unmounting`,
        said: { reason: 'loop', target: targetPath, loop: l.dev, offset: l.offset, sizeLimit: l.sizeLimit, mounts },
      });
    }
  }
  if (facts.holders.length) {
    problems.push({
      code: 'mounted',
      message: `${targetPath} is held by ${facts.holders.join(', ')} (device-mapper, RAID or swap); stop what uses it first`,
      said: { reason: 'held', target: targetPath, holders: [...facts.holders] },
    });
  }
  const clean = opts.unmountIfMounted && problems.length === 0;
  return {
    problems,
    unmount: clean ? [...new Set(unmount)].sort((a, b) => b.split('/').length - a.split('/').length) : [],
    detach: clean ? loops.map((l) => l.dev) : [],
  };
}

/** Parses one loop's /sys/block/loopN/loop files (null when the loop is not bound). */
export function loopFromSys(dev: string, files: { backing_file?: string; offset?: string; sizelimit?: string }): LoopOver | null {
  const backing = files.backing_file?.trim();
  if (!backing) return null;
  return { dev, backing: backing.replace(/ \(deleted\)$/, ''), offset: Number(files.offset ?? 0) || 0, sizeLimit: Number(files.sizelimit ?? 0) || 0 };
}
