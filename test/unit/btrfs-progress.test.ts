// The Btrfs phase's byte count: a copy that reports nothing, watched by walking its destination. A slow writer
// (a file growing in steps into a temp directory) must show up as rising progress events of the target, within
// the planned total, ending at the total; the unsquashfs listing parser over a captured listing.
import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetCtx } from '../../helpers/context.ts';
import { PhaseMeter, parseUnsquashListing, treeBytes } from '../../helpers/steps/btrfs-progress.ts';
import type { JobEvent } from '../../src-shared/job/events.ts';
import type { PartitionPlan } from '../../src-shared/layout/index.ts';
import type { ImageProfile } from '../../src-shared/profile/image-profile.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iios-btrfs-progress-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function ctxCollecting(events: JobEvent[]): TargetCtx {
  const target = { id: 't1', kind: 'image-file' as const, path: join(dir, 'unused.img'), sizeBytes: 1, hostname: 'a' };
  return new TargetCtx(target, {} as PartitionPlan, {} as ImageProfile, (e) => events.push(e), new AbortController().signal);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PhaseMeter', () => {
  it('reports the bytes arriving in a directory while a copy runs, then the total', async () => {
    const events: JobEvent[] = [];
    const ctx = ctxCollecting(events);
    const dest = join(dir, 'dest');
    await mkdir(join(dest, 'sub'), { recursive: true });
    const step = 256 * 1024;
    const meter = new PhaseMeter(ctx, 100 + 10 * step);
    meter.start();
    const copy = (async () => {
      for (let i = 0; i < 10; i++) {
        await appendFile(join(dest, 'sub', 'big.bin'), Buffer.alloc(step, i));
        await sleep(150);
      }
    })();
    await meter.whileFilling(dest, 10 * step, copy, 200);
    meter.add(100);
    meter.end();
    const progress = events.flatMap((e) => (e.kind === 'progress' ? [e] : []));
    expect(progress[0]).toMatchObject({ bytesDone: 0, bytesTotal: 100 + 10 * step });
    expect(progress.at(-1)).toMatchObject({ bytesDone: 100 + 10 * step, bytesTotal: 100 + 10 * step });
    const during = progress.slice(1, -1).map((p) => p.bytesDone);
    // ~1.5 s of copying, polled every 200 ms and sent at most every 200 ms: several steps in between
    expect(during.filter((n) => n > 0 && n < 10 * step).length).toBeGreaterThanOrEqual(3);
    expect(during).toEqual([...during].sort((a, b) => a - b));
    expect(progress.every((p) => p.bytesDone <= p.bytesTotal)).toBe(true);
  });

  it('a segment never counts more than it planned (a tree larger than its estimate)', async () => {
    const events: JobEvent[] = [];
    const meter = new PhaseMeter(ctxCollecting(events), 1000);
    const dest = join(dir, 'over');
    await mkdir(dest);
    await meter.whileFilling(dest, 500, appendFile(join(dest, 'f'), Buffer.alloc(4000)).then(() => sleep(300)), 50);
    meter.end();
    const done = events.flatMap((e) => (e.kind === 'progress' ? [e.bytesDone] : []));
    expect(done.at(-1)).toBe(1000);
    expect(done.slice(0, -1).length).toBeGreaterThan(0);
    expect(Math.max(...done.slice(0, -1))).toBe(500);
    expect(await treeBytes(dest)).toBe(4000);
  });
});

describe('unsquashfs -lls listing', () => {
  it('sums the regular files only (directories, links and device nodes left out)', () => {
    const listing = [
      'drwxr-xr-x root/root                49 2026-12-02 05:49 squashfs-root',
      'drwxr-xr-x root/root                45 2026-12-02 05:49 squashfs-root/bin',
      '-rw-r--r-- root/root            100000 2026-12-02 05:49 squashfs-root/bin/hard',
      '-rw-r--r-- root/root            100000 2026-12-02 05:49 squashfs-root/bin/x',
      'lrwxrwxrwx root/root                 1 2026-12-02 05:49 squashfs-root/bin/y -> x',
      '-rw-r--r-- root/root                 3 2026-12-02 05:49 squashfs-root/etc/os release',
      'crw-r--r-- root/root             1,  3 2026-12-02 05:49 squashfs-root/null',
    ].join('\n');
    expect(parseUnsquashListing(listing)).toBe(200003);
  });
});
