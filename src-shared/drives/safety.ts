// The privileged helper's own re-check of each target (the app is not trusted): never the system disk, never
// the disk holding the image source, never read-only, never too small, never mounted unless the job allows
// unmounting; an image file only by an image file's name, outside the system's folders (image-file-target.ts).
// Pure: the helper gathers the facts (lsblk, losetup, findmnt) and this decides.
import { imageFilePathRule } from './image-file-target.ts';
import { imagePathWords } from '../errors/rule-words.ts';
import type { PreflightProblem } from '../job/preflight-problem.ts';
import { SYSTEM_MOUNTPOINTS, type LsblkDevice } from './inventory.ts';
import { formatBytesApart, groupDigits } from '../format/bytes.ts';

export interface SafetyFacts {
  /** `lsblk --json -b -O --paths`, parsed (top-level devices with their children). */
  devices: LsblkDevice[];
  /** Loop device → backing file (`losetup --list --json`). */
  loopBacking: Map<string, string>;
  /** Top-level disks that hold the running system, found by following loops (e.g. a live system's / on a loop). */
  extraSystemDisks: string[];
  /** Top-level disks that hold the image source (bundle directory or image file), through loops. */
  sourceDisks: string[];
  /** The source paths themselves (bundle directory, its files, the image file), absolute and resolved. */
  sourcePaths: string[];
}

export interface TargetForCheck {
  kind: 'device' | 'image-file';
  path: string;
  /** Image files: the size to create. Devices: ignored (the real size comes from lsblk). */
  sizeBytes: number;
}

export type SafetyCode = 'not-found' | 'not-whole-disk' | 'system' | 'source' | 'read-only' | 'too-small' | 'mounted' | 'bad-path';

export interface SafetyProblem {
  code: SafetyCode;
  message: string;
  /** The problem typed, when a shared rule gives it one (a path rule, a busy disk, a plan): the reader says it. */
  said?: PreflightProblem;
}

export interface SafetyVerdict {
  problems: SafetyProblem[];
  /** Mount points to unmount before writing (deepest first); only when the job allows it and nothing else is wrong. */
  unmount: string[];
  /** The target's real size in bytes (devices: from lsblk). */
  sizeBytes: number;
  /** Logical sector size (devices: from lsblk; image files: 512). */
  sectorSize: number;
}

function tooSmall(path: string, sizeBytes: number, requiredBytes: number): string {
  const [size, needed] = formatBytesApart(sizeBytes, requiredBytes);
  return `${path}: ${size} is too small, this needs at least ${needed} (${groupDigits(requiredBytes)} bytes)`;
}

export function allMountpoints(dev: LsblkDevice): string[] {
  return [...dev.children.flatMap(allMountpoints), ...dev.mountpoints];
}

function findWithParent(devices: LsblkDevice[], path: string, top: LsblkDevice | null = null): { dev: LsblkDevice; top: LsblkDevice } | null {
  for (const d of devices) {
    if (d.name === path) return { dev: d, top: top ?? d };
    const inner = findWithParent(d.children, path, top ?? d);
    if (inner) return inner;
  }
  return null;
}

/** The top-level disk that a device (disk, partition, crypt/lvm holder) belongs to, or null. */
export function topLevelDisk(devices: LsblkDevice[], path: string): string | null {
  return findWithParent(devices, path)?.top.name ?? null;
}

/** Top-level devices holding a system mount point, plus those found through loops by the helper. */
export function systemDisks(facts: SafetyFacts): Set<string> {
  const out = new Set(facts.extraSystemDisks);
  for (const d of facts.devices) if (allMountpoints(d).some((m) => SYSTEM_MOUNTPOINTS.includes(m))) out.add(d.name);
  return out;
}

const isInside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith('/') ? parent : `${parent}/`);

export function checkTargetSafety(
  target: TargetForCheck,
  requiredBytes: number,
  facts: SafetyFacts,
  opts: { unmountIfMounted: boolean },
): SafetyVerdict {
  return target.kind === 'image-file' ? checkImageFile(target, requiredBytes, facts) : checkDevice(target, requiredBytes, facts, opts);
}

function checkImageFile(target: TargetForCheck, requiredBytes: number, facts: SafetyFacts): SafetyVerdict {
  const problems: SafetyProblem[] = [];
  // The name and the folder (system trees refused); the helper passes the path with its folder resolved.
  const pathProblem = imageFilePathRule(target.path);
  if (pathProblem) problems.push({ code: 'bad-path', message: imagePathWords(pathProblem), said: { kind: 'image-path', problem: pathProblem } });
  if (facts.sourcePaths.some((s) => isInside(target.path, s) || isInside(s, target.path))) {
    problems.push({ code: 'source', message: `${target.path} is (or is inside) the image source` });
  }
  for (const [loop, file] of facts.loopBacking) {
    if (file === target.path) problems.push({ code: 'mounted', message: `${target.path} is in use as the backing file of ${loop}` });
  }
  if (target.sizeBytes < requiredBytes) {
    problems.push({ code: 'too-small', message: tooSmall(target.path, target.sizeBytes, requiredBytes) });
  }
  return { problems, unmount: [], sizeBytes: target.sizeBytes, sectorSize: 512 };
}

function checkDevice(target: TargetForCheck, requiredBytes: number, facts: SafetyFacts, opts: { unmountIfMounted: boolean }): SafetyVerdict {
  const found = findWithParent(facts.devices, target.path);
  if (!found) return { problems: [{ code: 'not-found', message: `${target.path} is not a block device this system knows` }], unmount: [], sizeBytes: 0, sectorSize: 512 };
  const { dev } = found;
  const problems: SafetyProblem[] = [];
  if (found.top !== dev || !['disk', 'loop'].includes(dev.type)) {
    problems.push({ code: 'not-whole-disk', message: `${target.path} is a ${dev.type || 'device'} inside ${found.top.name}; iios writes whole disks only` });
  }
  if (systemDisks(facts).has(found.top.name)) {
    problems.push({ code: 'system', message: `${target.path} holds the running system; iios never writes to it` });
  }
  if (facts.sourceDisks.includes(found.top.name)) {
    problems.push({ code: 'source', message: `${target.path} holds the image being written; choose another target` });
  }
  const backing = facts.loopBacking.get(target.path);
  if (backing && facts.sourcePaths.some((s) => isInside(backing, s))) {
    problems.push({ code: 'source', message: `${target.path} is a loop over the image source ${backing}` });
  }
  if (dev.ro) problems.push({ code: 'read-only', message: `${target.path} is read-only (a lock switch, or the kernel marked it so)` });
  if (dev.size < requiredBytes) {
    problems.push({ code: 'too-small', message: tooSmall(target.path, dev.size, requiredBytes) });
  }
  const mounts = allMountpoints(dev);
  let unmount: string[] = [];
  if (mounts.length) {
    if (!opts.unmountIfMounted) {
      problems.push({ code: 'mounted', message: `${target.path} is mounted at ${mounts.join(', ')}; unmount it first or allow unmounting` });
    } else if (problems.length === 0) {
      // Deepest first, so /media/x/y goes before /media/x; swap is not a mount point to unmount.
      unmount = [...new Set(mounts)].filter((m) => m.startsWith('/')).sort((a, b) => b.split('/').length - a.split('/').length);
    }
  }
  return { problems, unmount, sizeBytes: dev.size, sectorSize: dev.logSec || 512 };
}
