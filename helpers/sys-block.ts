// What the kernel says of block devices under /sys/block, read once here for every rule that needs it: a
// target pulled or detached mid-job, the loops bound over a target (busy rule, leftovers of a dead helper),
// and the holders of a disk. A file that is not there reads as null: no such device, or a loop not bound.
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { loopFromSys, type LoopOver } from '../src-shared/drives/busy.ts';

/** /sys/block/<name>/<file>, trimmed, or null when it cannot be read. */
export function sysBlock(name: string, file: string): string | null {
  try {
    return readFileSync(`/sys/block/${name}/${file}`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** A whole disk the kernel no longer has, or has with no medium (size 0): a stick pulled, a loop detached. */
export function diskGone(name: string): boolean {
  const size = sysBlock(name, 'size');
  return size === null || size === '0';
}

/** /sys/block/loopN/loop/autoclear ('0' or '1'), or null for a device that is not a bound loop. */
export function loopAutoclear(name: string): string | null {
  return name.startsWith('loop') ? sysBlock(name, 'loop/autoclear') : null;
}

/** Every bound loop device with its backing file (" (deleted)" dropped) and range. */
export function loopsFromSys(): LoopOver[] {
  const out: LoopOver[] = [];
  for (const name of readdirSync('/sys/block').filter((n) => /^loop\d+$/.test(n))) {
    const read = (f: string) => sysBlock(name, `loop/${f}`) ?? undefined;
    const l = loopFromSys(`/dev/${name}`, { backing_file: read('backing_file'), offset: read('offset'), sizelimit: read('sizelimit') });
    if (l) out.push(l);
  }
  return out;
}

/** Holders of a disk and of its partitions (/sys/block/X/holders, /sys/block/X/X1/holders). */
export function holdersFromSys(disk: string): string[] {
  const name = basename(disk);
  const list = (rel: string) => {
    try {
      return readdirSync(`/sys/block/${name}${rel}`);
    } catch {
      return [];
    }
  };
  const parts = list('').filter((e) => e.startsWith(name));
  return [...list('/holders'), ...parts.flatMap((p) => list(`/${p}/holders`))];
}
