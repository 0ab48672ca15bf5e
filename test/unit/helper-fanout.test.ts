// The helper's fan-out on plain temporary files (no root needed): one read to several targets at several
// offsets, sparse zero chunks, the hash of what was read, per-target failure isolation; and the chunk pool.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xxhash128 } from 'hash-wasm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TargetCtx } from '../../helpers/context.ts';
import { ChunkPool } from '../../helpers/io/chunk-pool.ts';
import { fanOut } from '../../helpers/io/fanout.ts';
import { fileReader } from '../../helpers/io/reader.ts';
import type { JobEvent } from '../../src-shared/job/events.ts';
import type { PartitionPlan } from '../../src-shared/layout/index.ts';
import type { ImageProfile } from '../../src-shared/profile/image-profile.ts';

const MiB = 1024 * 1024;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iios-fanout-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function ctx(path: string, events: JobEvent[], job = new AbortController()): TargetCtx {
  return new TargetCtx({ id: path.split('/').pop()!, kind: 'image-file', path, sizeBytes: 64 * MiB, hostname: 'x' }, { partitions: [] } as unknown as PartitionPlan, { id: 't' } as ImageProfile, (e) => events.push(e), job.signal);
}

describe('fanOut onto image files', () => {
  it('writes every offset of every target from one read, sparse where the data is zero, and hashes what it read', async () => {
    // 4 MiB random, 8 MiB zeros, 1.5 MiB random: 3.5 chunks.
    const data = Buffer.concat([randomBytes(4 * MiB), Buffer.alloc(8 * MiB), randomBytes(1.5 * MiB)]);
    const src = join(dir, 'src.bin');
    await writeFile(src, data);
    const targets = ['a.img', 'b.img'].map((n) => join(dir, n));
    for (const t of targets) {
      await writeFile(t, '');
      await truncate(t, 64 * MiB);
    }
    const events: JobEvent[] = [];
    const progress: number[] = [];
    const ctxs = targets.map((t) => ctx(t, events));
    const reader = await fileReader(src);
    const r = await fanOut(reader, data.length, ctxs.map((c, i) => ({ ctx: c, offsets: i === 0 ? [MiB] : [MiB, 32 * MiB], onProgress: (n) => i === 1 && progress.push(n) })), new AbortController().signal, { sha256: true });
    await reader.close();
    expect(r.bytes).toBe(data.length);
    expect(r.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    // one digest per 4 MiB chunk, the two zero chunks alike, the short last one its own
    expect(r.chunks!.list.map((d) => d.toString('hex'))).toEqual(await Promise.all([0, 4, 8, 12].map((m) => xxhash128(data.subarray(m * MiB, (m + 4) * MiB)))));
    expect(ctxs.map((c) => c.failure)).toEqual([null, null]);
    for (const [i, t] of targets.entries()) {
      const all = await readFile(t);
      for (const off of i === 0 ? [MiB] : [MiB, 32 * MiB]) expect(all.subarray(off, off + data.length).equals(data)).toBe(true);
      // The zero chunks were skipped: far less than the written span is allocated.
      expect((await stat(t)).blocks * 512).toBeLessThan((i === 0 ? 1 : 2) * 7 * MiB);
    }
    expect(progress.at(-1)).toBe(2 * data.length);
  });

  it('takes no chunk digests for one target when none are asked for, still skipping zeros; two targets get them anyway', async () => {
    const data = Buffer.concat([randomBytes(4 * MiB), Buffer.alloc(8 * MiB), randomBytes(MiB)]);
    const src = join(dir, 'src.bin');
    await writeFile(src, data);
    const targets = ['a.img', 'b.img', 'c.img'].map((n) => join(dir, n));
    for (const t of targets) {
      await writeFile(t, '');
      await truncate(t, 64 * MiB);
    }
    const one = await fileReader(src);
    const done: (string | null)[] = [];
    const r1 = await fanOut(one, data.length, [{ ctx: ctx(targets[0]!, []), offsets: [0], onDone: async (c) => void done.push(c && 'digests') }], new AbortController().signal, { chunkDigests: false });
    await one.close();
    expect(r1.chunks).toBeNull();
    expect(done).toEqual([null]);
    expect((await readFile(targets[0]!)).subarray(0, data.length).equals(data)).toBe(true);
    expect((await stat(targets[0]!)).blocks * 512).toBeLessThan(6 * MiB);
    // Two targets: one may fall behind and read the source alone, and is then checked against the digests.
    const two = await fileReader(src);
    const r2 = await fanOut(two, data.length, targets.slice(1).map((t) => ({ ctx: ctx(t, []), offsets: [0] })), new AbortController().signal, { chunkDigests: false });
    await two.close();
    expect(r2.chunks?.list.length).toBe(4);
  });

  it('fails a target that cannot be opened and finishes the others', async () => {
    const src = join(dir, 'src.bin');
    await writeFile(src, randomBytes(5 * MiB));
    const good = join(dir, 'good.img');
    await writeFile(good, '');
    const events: JobEvent[] = [];
    const bad = ctx(dir, events); // a directory: opening it for writing fails
    const ok = ctx(good, events);
    const reader = await fileReader(src);
    const r = await fanOut(reader, 5 * MiB, [{ ctx: bad, offsets: [0] }, { ctx: ok, offsets: [0] }], new AbortController().signal);
    await reader.close();
    expect(r.bytes).toBe(5 * MiB);
    expect(bad.failure?.message).toMatch(/EISDIR/);
    expect(ok.failure).toBeNull();
    expect(events.filter((e) => e.kind === 'target-failed').map((e) => e.kind === 'target-failed' && e.targetId)).toEqual([bad.id]);
    expect((await readFile(good)).equals(await readFile(src))).toBe(true);
  });

  it('stops on a job cancel and says the source was cut short otherwise', async () => {
    const src = join(dir, 'src.bin');
    await writeFile(src, randomBytes(2 * MiB));
    const t = join(dir, 't.img');
    await writeFile(t, '');
    const job = new AbortController();
    job.abort();
    const reader = await fileReader(src);
    await expect(fanOut(reader, 2 * MiB, [{ ctx: ctx(t, [], job), offsets: [0] }], job.signal)).rejects.toThrow(/cancelled/);
    await reader.close();
    const short = await fileReader(src);
    await expect(fanOut(short, 3 * MiB, [{ ctx: ctx(t, []), offsets: [0] }], new AbortController().signal)).rejects.toThrow(/source ended after 2097152 bytes, expected 3145728/);
    await short.close();
  });
});

describe('ChunkPool', () => {
  it('hands out each buffer once, waits when all are taken, and drains when every user is done', async () => {
    const pool = new ChunkPool([Buffer.alloc(1), Buffer.alloc(1)]);
    const a = await pool.take();
    const b = await pool.take();
    expect(new Set([a, b])).toEqual(new Set([0, 1]));
    let third: number | null = null;
    const waiting = pool.take().then((i) => (third = i));
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBeNull();
    const chunk = { index: a, buf: pool.bufs[a]!, len: 1, pos: 0, zero: false, pending: 2 };
    pool.done(chunk);
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBeNull();
    pool.done(chunk);
    await waiting;
    expect(third).toBe(a);
    let drained = false;
    const d = pool.drained().then(() => (drained = true));
    pool.release(b);
    await new Promise((r) => setTimeout(r, 10));
    expect(drained).toBe(false);
    pool.release(third!);
    await d;
    expect(drained).toBe(true);
  });
});

