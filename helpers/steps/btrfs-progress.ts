// Progress for the Btrfs phase, which copies with tools that report nothing (unsquashfs, cp -a): the bytes that
// have arrived are counted by walking the destination now and then (statfs does not see Btrfs's delayed
// allocation, so it stays flat until a commit), against a total known before the copy starts.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TargetCtx } from '../context.ts';
import type { RunOptions } from '../tools/run.ts';
import { unsquashListing } from '../tools/squashfs.ts';

/** Sum of the sizes of the regular files below `dir` (links not followed; entries vanishing meanwhile skipped). */
export async function treeBytes(dir: string, signal?: AbortSignal): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (signal?.aborted) break;
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await treeBytes(p, signal);
    else if (e.isFile()) total += (await lstat(p).catch(() => null))?.size ?? 0;
  }
  return total;
}

/** Sum of the regular files' sizes in an `unsquashfs -lls` listing ("-rw-r--r-- root/root 1234 date time path"). */
export function parseUnsquashListing(text: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('-')) continue;
    const size = Number(line.trim().split(/\s+/)[2]);
    if (Number.isSafeInteger(size)) total += size;
  }
  return total;
}

/** The bytes a squashfs image unpacks to (its inode table only: nothing is decompressed). */
export async function squashfsContentBytes(image: string, opts: RunOptions = {}): Promise<number> {
  return parseUnsquashListing(await unsquashListing(image, opts));
}

/**
 * One phase's byte count for a target: `total` known up front, filled by segments. `whileFilling` runs a copy
 * and reports `treeBytes(dir)` every second or so (waiting twice as long as a walk took, so that walking a
 * large tree never takes more than a third of the time); each segment counts at most its own planned size.
 */
export class PhaseMeter {
  private done = 0;

  constructor(private readonly ctx: TargetCtx, readonly total: number) {}

  start(): void {
    this.ctx.progress(0, this.total, true);
  }

  add(bytes: number): void {
    this.done = Math.min(this.total, this.done + bytes);
    this.ctx.progress(this.done, this.total);
  }

  /** Reports base + n (n within a segment), without moving the base. */
  private at(n: number, force = false): void {
    this.ctx.progress(Math.min(this.total, this.done + n), this.total, force);
  }

  async whileFilling<T>(dir: string, segmentBytes: number, work: Promise<T>, minIntervalMs = 1000): Promise<T> {
    let finished = false;
    const settled = work.finally(() => {
      finished = true;
    });
    const poll = (async () => {
      while (!finished) {
        const t0 = performance.now();
        const n = await treeBytes(dir, this.ctx.signal);
        if (finished) break;
        this.at(Math.min(n, segmentBytes));
        const wait = Math.max(minIntervalMs, 2 * (performance.now() - t0));
        await Promise.race([settled.catch(() => undefined), new Promise((r) => setTimeout(r, wait))]);
      }
    })();
    try {
      return await settled;
    } finally {
      await poll;
      this.done = Math.min(this.total, this.done + segmentBytes);
    }
  }

  end(): void {
    this.done = this.total;
    this.ctx.progress(this.total, this.total, true);
  }
}
