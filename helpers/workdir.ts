// The helper's own folder, /tmp/iios-helper-<pid>-XXXXXX (0700, root): every temporary folder and mount of a
// job is made inside it (TMPDIR points there), and state.json in it lists the byte ranges of the targets the
// helper attaches loops over. A helper killed outright (SIGKILL, a crash) leaves that folder, its mounts and its
// loops behind; the next helper start finds them by the folder's name, and removes them only when the pid in
// that name is no longer a running iios helper: other jobs on this machine keep theirs.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoopOver } from '../src-shared/drives/busy.ts';
import { loopsFromSys } from './sys-block.ts';
import { run } from './tools/run.ts';

const PREFIX = 'iios-helper-';
const NAME = /^iios-helper-(\d+)-[A-Za-z0-9]{6}$/;

export interface LoopRange {
  /** The target as the kernel records a loop's backing file (/sys/block/loopN/loop/backing_file). */
  backing: string;
  offset: number;
  sizeBytes: number;
}

interface State {
  pid: number;
  ranges: LoopRange[];
}

let workDir: string | null = null;

/** Makes the helper's folder under `root` and points TMPDIR at it; returns its path. */
export function makeWorkDir(root: string): string {
  const dir = mkdtempSync(join(root, `${PREFIX}${process.pid}-`));
  workDir = dir;
  recordLoopRanges([]);
  process.env.TMPDIR = dir;
  return dir;
}

/** This helper's folder (the OS temp folder when none was made, as in unit tests). */
export function helperWorkDir(): string | null {
  return workDir;
}

/** Records the loop ranges this helper may attach (before it attaches any). */
export function recordLoopRanges(ranges: LoopRange[]): void {
  if (!workDir) return;
  const state: State = { pid: process.pid, ranges };
  writeFileSync(join(workDir, 'state.json'), JSON.stringify(state), { mode: 0o600 });
}

/** Mount points (from /proc/self/mountinfo, octal escapes decoded) at or under `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  const points = text
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  return [...new Set(points.filter((p) => p === dir || p.startsWith(`${dir}/`)))].sort((a, b) => b.split('/').length - a.split('/').length);
}

/** Whether `pid` is a running iios helper (a pid reused by another program does not count). */
export function isLiveHelper(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /helpers?\/main\.(ts|js)|iios-helper/.test(cmd);
  } catch {
    return false;
  }
}

/** The loops a helper with this state left: over one of its targets, at exactly one of its planned ranges. */
export function leftLoops(state: { ranges: LoopRange[] }, loops: LoopOver[], dir: string): LoopOver[] {
  return loops.filter(
    (l) =>
      l.backing.startsWith(`${dir}/`) ||
      state.ranges.some((r) => r.backing === l.backing && r.offset === l.offset && r.sizeBytes === l.sizeLimit),
  );
}

/** Removes what dead helpers left under `root`; returns a line per thing removed (for the job's log). */
export async function cleanDeadHelpers(root: string): Promise<string[]> {
  const done: string[] = [];
  for (const name of readdirSync(root)) {
    const m = NAME.exec(name);
    if (!m || Number(m[1]) === process.pid || isLiveHelper(Number(m[1]))) continue;
    const dir = join(root, name);
    let state: State = { pid: Number(m[1]), ranges: [] };
    try {
      state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as State;
    } catch {
      /* no state: only its mounts and the loops over its own folder */
    }
    done.push(...(await releaseLeftovers(dir, state.ranges, `left by helper ${state.pid}`)));
    removeIfUnmounted(dir);
    done.push(`removed ${dir}`);
  }
  return done;
}

/**
 * At the end of this helper's own job: a loop attached in the instant a cancel stopped `losetup` (attached,
 * never reported back) is still found here by its range, and detached.
 */
export async function releaseOwnLeftovers(): Promise<string[]> {
  if (!workDir) return [];
  const state = JSON.parse(readFileSync(join(workDir, 'state.json'), 'utf8')) as State;
  return releaseLeftovers(workDir, state.ranges, 'left by a cancelled step');
}

/** Unmounts the loops' mounts, detaches the loops, unmounts the rest in `dir`; a line per thing done. */
async function releaseLeftovers(dir: string, ranges: LoopRange[], why: string): Promise<string[]> {
  const done: string[] = [];
  const loops = leftLoops({ ranges }, loopsFromSys(), dir);
  const loopDevs = new Set(loops.map((l) => l.dev));
  // Its loops' mounts (wherever they are), then its loops, then what else is mounted in its folder (the
  // bind mount of an image-file target, which its loops held busy).
  // (No loop left, nothing of theirs can be mounted: the usual case needs no findmnt.)
  const mountsOfLoops = (loops.length ? await run('findmnt', ['-rn', '-o', 'TARGET,SOURCE']).catch(() => ({ stdout: '' })) : { stdout: '' }).stdout
    .split('\n')
    .map((l) => l.split(' '))
    .filter(([, src]) => src && loopDevs.has(src))
    .map(([target]) => target!.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
  const unmount = async (point: string) => {
    await run('umount', [point]).catch(() => run('umount', ['-l', point]).catch(() => undefined));
    done.push(`unmounted ${point} (${why})`);
  };
  for (const point of deepestFirst(mountsOfLoops)) await unmount(point);
  for (const l of loops) {
    await run('losetup', ['-d', l.dev]).catch(() => undefined);
    done.push(`detached ${l.dev} over ${l.backing} (${why})`);
  }
  for (const point of mountsUnder(dir)) await unmount(point);
  return done;
}

const deepestFirst = (points: string[]) => [...new Set(points)].sort((a, b) => b.split('/').length - a.split('/').length);

/** Removes the folder, but never while anything is still mounted inside it (rm would go into the mount). */
export function removeIfUnmounted(dir: string): boolean {
  if (mountsUnder(dir).length) return false;
  rmSync(dir, { recursive: true, force: true });
  return true;
}
