// Verify by reading back with independent means: each slot's bytes (O_DIRECT where the kernel takes it, so the page
// cache does not answer for the stick) against the bundle's sha256, `veritysetup verify` of each slot
// against its hash partition and root hash, the ESP files' sha256 through mtools, `btrfs check --readonly`.
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

/** sha256 of `length` bytes at `offset` of the target, read back from the medium. */
export async function readBackSha256(ctx: TargetCtx, offset: number, length: number, onBytes?: (n: number) => void): Promise<string> {
  let direct = directBuffer(ctx.disk, CHUNK_BYTES);
  let buf = direct ?? plainBuffer(CHUNK_BYTES);
  let fh = await open(ctx.disk, direct ? constants.O_RDONLY | constants.O_DIRECT : constants.O_RDONLY);
  const h = createHash('sha256');
  try {
    let done = 0;
    while (done < length) {
      if (ctx.signal.aborted) throw new Error('cancelled');
      const want = Math.min(CHUNK_BYTES, length - done);
      const ask = direct ? Math.ceil(want / DIRECT_ALIGN) * DIRECT_ALIGN : want;
      let got = 0;
      try {
        while (got < ask) {
          const { bytesRead } = await fh.read(buf, got, ask - got, offset + done + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
      } catch (err) {
        if (!direct || (err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
        // O_DIRECT refused after all (the probe may have hit a hole): read this and the rest buffered.
        await fh.close();
        fh = await open(ctx.disk, constants.O_RDONLY);
        direct = null;
        buf = plainBuffer(CHUNK_BYTES);
        continue;
      }
      if (got < want) throw Object.assign(new Error(`read back ended early at byte ${offset + done + got}`), { code: 'EIO' });
      h.update(buf.subarray(0, want));
      done += want;
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
  const total = want.rootfsBytes * slots.length;
  let base = 0;
  for (const { s, root, verity } of slots) {
    const got = await readBackSha256(ctx, root!.startBytes, want.rootfsBytes, (n) => ctx.progress(base + n, total));
    if (got !== want.rootfsSha256) throw new Error(`slot ${s} reads back with sha256 ${got}, expected ${want.rootfsSha256}`);
    base += want.rootfsBytes;
    if (verity && want.rootHash) await verifyVerity(ctx, root!, verity, want.rootHash);
  }
  if (total > 0) ctx.progress(total, total, true);
  const esp = ctx.part('esp');
  if (esp) {
    for (const [path, sha] of Object.entries(want.espFiles)) {
      const content = await fatRead({ disk: ctx.disk, offset: esp.startBytes }, path, { signal: ctx.signal });
      const got = createHash('sha256').update(content).digest('hex');
      if (got !== sha) throw new Error(`ESP file ${path} reads back with sha256 ${got}, expected ${sha}`);
    }
  }
  for (const p of ctx.plan.partitions.filter((x) => x.filesystem === 'btrfs')) {
    await withLoop(ctx.disk, p.startBytes, p.sizeBytes, (dev) => checkReadonly(dev, { signal: ctx.signal }), { readOnly: true, signal: ctx.signal });
  }
}
