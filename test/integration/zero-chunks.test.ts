// Zero chunks of a raw source are skipped only where zeros are guaranteed: a stick (here a loop device whose
// old bytes are 0xa5, as a used stick's are not zeros) gets every chunk, zeros included, and reads back as the
// source; a fresh image file gets holes where the source is zero (it is created anew and sparse by the wipe).
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TargetCtx } from '../../helpers/context.ts';
import { fanOut } from '../../helpers/io/fanout.ts';
import { readBackChunks } from '../../helpers/io/read-back.ts';
import { fileReader } from '../../helpers/io/reader.ts';
import type { PartitionPlan } from '../../src-shared/layout/index.ts';
import type { ImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeLoop, type TestLoop } from '../support/helper-checks.ts';

const MiB = 1024 * 1024;
let dir: string;
let loop: TestLoop | null = null;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iios-zero-'));
});
afterEach(async () => {
  await loop?.cleanup();
  loop = null;
  await rm(dir, { recursive: true, force: true });
});

const ctx = (kind: 'device' | 'image-file', path: string) =>
  new TargetCtx({ id: kind, kind, path, sizeBytes: 32 * MiB, hostname: 'x' }, { partitions: [] } as unknown as PartitionPlan, { id: 't' } as ImageProfile, () => undefined, new AbortController().signal);

describe('zero chunks of a raw source', () => {
  it('are written onto a stick and skipped on a fresh image file, and both read back as the source', async () => {
    const data = Buffer.concat([randomBytes(4 * MiB), Buffer.alloc(16 * MiB), randomBytes(4 * MiB)]);
    const src = join(dir, 'src.img');
    await writeFile(src, data);
    loop = await makeLoop(32 * MiB);
    await writeFile(loop.file, Buffer.alloc(32 * MiB, 0xa5));
    const file = join(dir, 'fresh.img');
    await writeFile(file, '');
    const targets = [ctx('device', loop.dev), ctx('image-file', file)];
    const reader = await fileReader(src);
    const r = await fanOut(reader, data.length, targets.map((c) => ({ ctx: c, offsets: [0] })), new AbortController().signal);
    await reader.close();
    expect(targets.map((t) => t.failure)).toEqual([null, null]);
    for (const t of targets) await readBackChunks(t, 0, r.chunks!);
    expect((await readFile(loop.file)).subarray(0, data.length).equals(data)).toBe(true);
    // the fresh file holds only the 8 MiB of random data (and a little metadata), no zeros written
    expect((await stat(file)).blocks * 512).toBeLessThan(9 * MiB);
  }, 120_000);
});
