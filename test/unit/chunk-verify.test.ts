// Write-time verify by chunk digests, on plain temporary files (no root needed): what the fan-out wrote reads
// back chunk by chunk; one byte flipped on a target afterwards fails the read-back naming the 4 MiB chunk it
// lies in (and only that target); an image that changed between measuring and writing is named by the first
// chunk that differs, the held-back first MiB included.
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TargetCtx } from '../../helpers/context.ts';
import { chunkHasher, ChunkDigests } from '../../helpers/io/chunk-hash.ts';
import { fanOut } from '../../helpers/io/fanout.ts';
import { readBackChunks } from '../../helpers/io/read-back.ts';
import { fileReader } from '../../helpers/io/reader.ts';
import { changedSince, holdBackHead } from '../../helpers/raw.ts';
import type { PartitionPlan } from '../../src-shared/layout/index.ts';
import type { ImageProfile } from '../../src-shared/profile/image-profile.ts';

const MiB = 1024 * 1024;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iios-chunks-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function ctx(path: string): TargetCtx {
  return new TargetCtx({ id: path.split('/').pop()!, kind: 'image-file', path, sizeBytes: 64 * MiB, hostname: 'x' }, { partitions: [] } as unknown as PartitionPlan, { id: 't' } as ImageProfile, () => undefined, new AbortController().signal);
}

async function flip(path: string, at: number): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0x01;
    await fh.write(b, 0, 1, at);
  } finally {
    await fh.close();
  }
}

async function written(data: Buffer, names: string[], offset: number): Promise<{ targets: TargetCtx[]; chunks: ChunkDigests }> {
  const src = join(dir, 'src.bin');
  await writeFile(src, data);
  const targets: TargetCtx[] = [];
  for (const n of names) {
    const p = join(dir, n);
    await writeFile(p, '');
    await truncate(p, 64 * MiB);
    targets.push(ctx(p));
  }
  const reader = await fileReader(src);
  try {
    const r = await fanOut(reader, data.length, targets.map((c) => ({ ctx: c, offsets: [offset] })), new AbortController().signal);
    expect(r.sha256).toBeNull(); // not asked for: no sha256 is computed
    return { targets, chunks: r.chunks! };
  } finally {
    await reader.close();
  }
}

describe('chunk-by-chunk read-back', () => {
  it('passes what was written and names the chunk of a byte flipped afterwards, on that target only', async () => {
    const data = Buffer.concat([randomBytes(8 * MiB), Buffer.alloc(4 * MiB), randomBytes(MiB + 512)]);
    const { targets, chunks } = await written(data, ['a.img', 'b.img'], 2 * MiB);
    expect(chunks.list).toHaveLength(4);
    for (const t of targets) await readBackChunks(t, 2 * MiB, chunks);

    // a byte in the third chunk (the zero one, skipped on the sparse file: bytes 8-12 MiB of the stream, 10-14 MiB of the target) of target b
    await flip(targets[1]!.disk, 2 * MiB + 8 * MiB + 777);
    await readBackChunks(targets[0]!, 2 * MiB, chunks);
    await expect(readBackChunks(targets[1]!, 2 * MiB, chunks)).rejects.toThrow(/^the 4194304-byte chunk at byte 10485760 reads back differently from what was written \(xxh128 [0-9a-f]{32}, written [0-9a-f]{32}\)$/);

    // the short last chunk too, and the first of two flipped chunks is the one named
    await flip(targets[0]!.disk, 2 * MiB + data.length - 1);
    await expect(readBackChunks(targets[0]!, 2 * MiB, chunks)).rejects.toThrow(/^the 1049088-byte chunk at byte 14680064 reads back/);
    await flip(targets[0]!.disk, 2 * MiB + 5 * MiB);
    await expect(readBackChunks(targets[0]!, 2 * MiB, chunks)).rejects.toThrow(/^the 4194304-byte chunk at byte 6291456 reads back/);
  });
});

describe('an image changed between measuring and writing', () => {
  async function measure(data: Buffer): Promise<ChunkDigests> {
    const h = await chunkHasher();
    const d = new ChunkDigests();
    for (let at = 0; at < data.length; at += 4 * MiB) {
      const c = data.subarray(at, at + 4 * MiB);
      d.push(h.digest(c), c.length);
    }
    return d;
  }

  async function writeHeld(data: Buffer): Promise<{ chunks: ChunkDigests; first: Buffer | null; head: Buffer }> {
    const src = join(dir, 'img.bin');
    await writeFile(src, data);
    const t = join(dir, 't.img');
    await writeFile(t, '');
    const held = holdBackHead(await fileReader(src), await chunkHasher());
    try {
      const r = await fanOut(held.reader, data.length, [{ ctx: ctx(t), offsets: [0] }], new AbortController().signal);
      return { chunks: r.chunks!, first: held.firstChunk(), head: held.head.subarray(0, held.headBytes()) };
    } finally {
      await held.reader.close();
    }
  }

  it('is found in its first chunk (whose first MiB goes out as zeros) and in any later one', async () => {
    const image = randomBytes(10 * MiB);
    const measured = await measure(image);
    const same = await writeHeld(image);
    expect(same.head.equals(image.subarray(0, MiB))).toBe(true);
    expect(changedSince(measured, same.chunks, same.first)).toBeNull();

    const inHead = Buffer.from(image);
    inHead[100] = inHead[100]! ^ 1;
    const h = await writeHeld(inHead);
    expect(changedSince(measured, h.chunks, h.first)).toBe(0);

    const later = Buffer.from(image);
    later[9 * MiB] = later[9 * MiB]! ^ 1;
    const l = await writeHeld(later);
    expect(changedSince(measured, l.chunks, l.first)).toBe(8 * MiB);
  });
});
