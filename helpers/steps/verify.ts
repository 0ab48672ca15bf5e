// Verify by reading back with independent means: each slot's bytes (O_DIRECT where the kernel takes it, so the page
// cache does not answer for the stick) against the bundle's sha256, `veritysetup verify` of each slot
// against its hash partition and root hash, the ESP files' sha256 through mtools, every cache file hashed again
// into its manifest (verify-caches.ts), `btrfs check --readonly`.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { PlannedPartition } from '../../src-shared/layout/index.ts';
import type { TargetCtx } from '../context.ts';
import { CHUNK_BYTES, DIRECT_ALIGN, directBuffer, plainBuffer } from '../io/aligned.ts';
import { checkReadonly } from '../tools/btrfs.ts';
import { withLoop } from '../tools/losetup.ts';
import { fatRead } from '../tools/mtools.ts';
import { verityVerify } from '../tools/verity.ts';
import { cachesPartition } from './btrfs.ts';
import { verifyCaches, type CacheExpect } from './verify-caches.ts';

/** sha256 of `length` bytes at `offset` of the target, read back from the medium. */
export async function readBackSha256(ctx: TargetCtx, offset: number, length: number, onBytes?: (n: number) => void): Promise<string> {
  try {
    return await readBack(ctx, offset, length, true, onBytes);
  } catch (err) {
    // O_DIRECT refused after all (the alignment probe may have hit a hole): read it all again, buffered.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
    return readBack(ctx, offset, length, false, onBytes);
  }
}

async function readBack(ctx: TargetCtx, offset: number, length: number, tryDirect: boolean, onBytes?: (n: number) => void): Promise<string> {
  // Two buffers: the next chunk is read while this one is hashed.
  const a = tryDirect ? directBuffer(ctx.disk, CHUNK_BYTES) : null;
  const b = a ? directBuffer(ctx.disk, CHUNK_BYTES) : null;
  const direct = !!(a && b);
  const bufs = direct ? [a!, b!] : [plainBuffer(), plainBuffer()];
  const fh = await open(ctx.disk, direct ? constants.O_RDONLY | constants.O_DIRECT : constants.O_RDONLY);
  const h = createHash('sha256');
  const readChunk = async (buf: Buffer, at: number): Promise<number> => {
    const want = Math.min(CHUNK_BYTES, length - at);
    const ask = direct ? Math.ceil(want / DIRECT_ALIGN) * DIRECT_ALIGN : want;
    let got = 0;
    while (got < ask) {
      const { bytesRead } = await fh.read(buf, got, ask - got, offset + at + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got < want) throw Object.assign(new Error(`read back ended early at byte ${offset + at + got}`), { code: 'EIO' });
    return want;
  };
  try {
    let done = 0;
    let i = 0;
    let pending = length > 0 ? readChunk(bufs[0]!, 0) : null;
    while (pending) {
      const want = await pending;
      if (ctx.signal.aborted) throw new Error('cancelled');
      const buf = bufs[i % 2]!;
      const nextAt = done + want;
      pending = nextAt < length ? readChunk(bufs[(i + 1) % 2]!, nextAt) : null;
      h.update(buf.subarray(0, want));
      done = nextAt;
      i++;
      onBytes?.(done);
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

export interface VerifyExpect {
  rootfsBytes: number;
  rootfsSha256: string;
  rootHash: string | null;
  espFiles: Record<string, string>;
  /** the caches copied into @caches, with the manifest sha256 the stamp records (none: nothing to re-hash) */
  caches?: readonly CacheExpect[];
}

async function verifyVerity(ctx: TargetCtx, data: PlannedPartition, hash: PlannedPartition, rootHash: string): Promise<void> {
  await withLoop(ctx.disk, data.startBytes, data.sizeBytes, (dataDev) =>
    withLoop(ctx.disk, hash.startBytes, hash.sizeBytes, (hashDev) => verityVerify(dataDev, hashDev, rootHash, { signal: ctx.signal }), { readOnly: true, signal: ctx.signal }),
    { readOnly: true, signal: ctx.signal },
  );
}

export async function verifyTarget(ctx: TargetCtx, want: VerifyExpect): Promise<void> {
  ctx.enter('verify');
  const slots = (['a', 'b'] as const).map((s) => ({ s, root: ctx.part(`root-${s}`), verity: ctx.part(`verity-${s}`) })).filter((x) => x.root);
  const caches = want.caches ?? [];
  const cachePart = caches.length ? cachesPartition(ctx) : undefined;
  if (caches.length && !cachePart) throw new Error('the plan has no partition with @caches for the caches to verify');
  // One byte count for the phase: the slots read back, then the cache files hashed again.
  const total = want.rootfsBytes * slots.length + (cachePart ? caches.reduce((s, c) => s + c.sizeBytes, 0) : 0);
  let base = 0;
  for (const { s, root, verity } of slots) {
    const got = await readBackSha256(ctx, root!.startBytes, want.rootfsBytes, (n) => ctx.progress(base + n, total));
    if (got !== want.rootfsSha256) throw new Error(`slot ${s} reads back with sha256 ${got}, expected ${want.rootfsSha256}`);
    base += want.rootfsBytes;
    if (verity && want.rootHash) await verifyVerity(ctx, root!, verity, want.rootHash);
  }
  const esp = ctx.part('esp');
  if (esp) {
    for (const [path, sha] of Object.entries(want.espFiles)) {
      const content = await fatRead({ disk: ctx.disk, offset: esp.startBytes }, path, { signal: ctx.signal });
      const got = createHash('sha256').update(content).digest('hex');
      if (got !== sha) throw new Error(`ESP file ${path} reads back with sha256 ${got}, expected ${sha}`);
    }
  }
  if (cachePart) {
    await verifyCaches(ctx, cachePart, caches, (n) => {
      base += n;
      ctx.progress(Math.min(base, total), total);
    });
  }
  if (total > 0) ctx.progress(total, total, true);
  for (const p of ctx.plan.partitions.filter((x) => x.filesystem === 'btrfs')) {
    await withLoop(ctx.disk, p.startBytes, p.sizeBytes, (dev) => checkReadonly(dev, { signal: ctx.signal }), { readOnly: true, signal: ctx.signal });
  }
}
