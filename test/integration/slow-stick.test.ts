// A slow stick does not hold back the others: three loop devices at full speed and one throttled to 3 MB/s
// (a blkio cgroup, as a slow USB stick) are fed from one read of the source. The slow one falls behind the
// shared buffers, reads the source on its own, and every target is handed on (verified here) as soon as it has
// all its bytes: the fast ones long before the slow one, which still gets every byte.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetCtx } from '../../helpers/context.ts';
import { fanOut } from '../../helpers/io/fanout.ts';
import { readBackChunks } from '../../helpers/io/read-back.ts';
import { fileReader } from '../../helpers/io/reader.ts';
import type { JobEvent } from '../../src-shared/job/events.ts';
import type { PartitionPlan } from '../../src-shared/layout/index.ts';
import type { ImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeLoop, type TestLoop } from '../support/helper-checks.ts';
import { withThrottle } from '../support/throttle.ts';

const MiB = 1024 * 1024;
const BYTES = 96 * MiB;
let dir: string;
const loops: TestLoop[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iios-slow-'));
  for (let i = 0; i < 4; i++) loops.push(await makeLoop(128 * MiB));
});
afterAll(async () => {
  for (const l of loops) await l.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe('one slow stick among fast ones', () => {
  it('lets the fast ones finish at their own pace and still gets every byte', async () => {
    const data = randomBytes(BYTES);
    const src = join(dir, 'src.img');
    await writeFile(src, data);
    const events: JobEvent[] = [];
    const ctxs = loops.map((l, i) => new TargetCtx({ id: `s${i}`, kind: 'device', path: l.dev, sizeBytes: 128 * MiB, hostname: 'x' }, { partitions: [] } as unknown as PartitionPlan, { id: 't' } as ImageProfile, (e) => events.push(e), new AbortController().signal));
    const doneAt: Record<string, number> = {};
    const t0 = Date.now();
    const slow = loops[3]!.dev;
    await withThrottle({ [slow]: 3 }, async () => {
      const reader = await fileReader(src);
      try {
        await fanOut(reader, BYTES, ctxs.map((ctx) => ({ ctx, offsets: [0], onDone: async (chunks) => {
          doneAt[ctx.id] = Date.now() - t0;
          await readBackChunks(ctx, 0, chunks!);
        } })), new AbortController().signal);
      } finally {
        await reader.close();
      }
    });
    expect(ctxs.map((c) => c.failure)).toEqual([null, null, null, null]);
    // 96 MiB at 3 MB/s: over 30 s for the slow one; the fast ones done within a quarter of that (fed from one
    // shared buffer they would wait until it is 48 MiB from its end: about half its time)
    expect(doneAt.s3).toBeGreaterThan(30_000);
    for (const id of ['s0', 's1', 's2']) expect(doneAt[id], JSON.stringify(doneAt)).toBeLessThan(doneAt.s3! / 4);
    expect(events.some((e) => e.kind === 'log' && /fell \d+ MiB behind the others: it reads the source on its own/.test(e.message))).toBe(true);
    for (const l of loops) expect((await readFile(l.file)).subarray(0, BYTES).equals(data)).toBe(true);
  }, 180_000);
});
