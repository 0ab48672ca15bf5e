// Verify by reading back with independent means: the shared checks (src-shared/verify/stick-checks.ts, the
// same ones `iios verify` runs) with the helper's way of reading: each slot's bytes O_DIRECT where the kernel
// takes it (so the page cache does not answer for the stick), `veritysetup verify` over read-only loops, the
// ESP files through mtools, every cache file hashed again (verify-caches.ts), the kiosk payload's files against
// their manifest (verify-payload.ts); then `btrfs check --readonly`.
import { createHash } from 'node:crypto';
import type { CacheFileEntry } from '../../src-shared/profile/cache-manifest.ts';
import { BTRFS_CHECK_TRIES, btrfsCheckRaced, checkBytesTotal, runStickChecks, type CacheExpect, type SlotExpect, type StickReader } from '../../src-shared/verify/stick-checks.ts';
import { FailureError, type TargetCtx } from '../context.ts';
import { readBackEach } from '../io/read-back.ts';
import { checkReadonly } from '../tools/btrfs.ts';
import { withLoop } from '../tools/losetup.ts';
import { fatRead } from '../tools/mtools.ts';
import { ToolError } from '../tools/run.ts';
import { verityVerify } from '../tools/verity.ts';
import { cachesPartition } from './btrfs.ts';
import { readCacheManifests } from './verify-caches.ts';
import type { CacheSourceDigests } from '../cache-digests.ts';
import { verifyPayload, type PayloadExpect } from './verify-payload.ts';
import { firstDifferenceFrom, waitForTestGate } from './verify-support.ts';

/** sha256 of `length` bytes at `offset` of the target, read back from the medium. */
export async function readBackSha256(ctx: TargetCtx, offset: number, length: number, onBytes?: (n: number) => void): Promise<string> {
  const h = createHash('sha256');
  await readBackEach(ctx, offset, length, (chunk) => void h.update(chunk), onBytes);
  return h.digest('hex');
}

export interface VerifyExpect {
  rootfsBytes: number;
  rootfsSha256: string;
  rootHash: string | null;
  /**
   * Per slot, when the slots hold different bundles (a clone of a stick updated in one slot): each slot is checked
   * against its own record. A slot not named here is checked against the fields above.
   */
  slots?: Partial<Record<'a' | 'b', { rootfsBytes: number; rootfsSha256: string; rootHash: string | null }>>;
  espFiles: Record<string, string>;
  /** the caches copied into @caches, with the manifest sha256 the stamp records (none: nothing to re-hash) */
  caches?: readonly (CacheExpect & { entries?: readonly CacheFileEntry[]; xxh128?: ReadonlyMap<string, string> })[];
  /** The kiosk payload's manifest (the stamp's `payload`): each file read back from the payload partition. */
  payload?: readonly PayloadExpect[];
  /** The slot image the slots were written from: a slot that reads back wrong is compared with it to name the first differing byte. */
  rootfsPath?: string;
}

/** The caches whose source digests this job took (a stamp alone records none: then every file gets its sha256). */
function cacheSources(want: VerifyExpect): Map<string, CacheSourceDigests> {
  return new Map((want.caches ?? []).flatMap((c) => (c.entries && c.xxh128 ? [[c.kind, { entries: c.entries, xxh128: c.xxh128 }] as const] : [])));
}

/** The helper's way of reading a target for the shared checks. */
function helperReader(ctx: TargetCtx, want: VerifyExpect): StickReader {
  const signal = ctx.signal;
  const rootfsPath = want.rootfsPath;
  return {
    sha256Range: (offset, length, onBytes) => readBackSha256(ctx, offset, length, onBytes),
    firstDifference: rootfsPath ? (offset, length) => firstDifferenceFrom(ctx.disk, offset, rootfsPath, length, signal) : undefined,
    verity: (data, hash, rootHash) =>
      withLoop(ctx.disk, data.startBytes, data.sizeBytes, (dataDev) =>
        withLoop(ctx.disk, hash.startBytes, hash.sizeBytes, (hashDev) => verityVerify(dataDev, hashDev, rootHash, { signal }), { readOnly: true, signal }),
        { readOnly: true, signal },
      ),
    espFileSha256: async (espStart, path) => {
      try {
        return createHash('sha256').update(await fatRead({ disk: ctx.disk, offset: espStart }, path, { signal })).digest('hex');
      } catch (err) {
        if (err instanceof ToolError && !err.cancelled && /not found/i.test(err.stderr)) return null;
        throw err;
      }
    },
    cacheManifests: (part, kinds, onBytes) => readCacheManifests(ctx.disk, part, kinds, signal, onBytes, cacheSources(want)),
  };
}

export async function verifyTarget(ctx: TargetCtx, want: VerifyExpect): Promise<void> {
  ctx.enter('verify');
  await waitForTestGate(ctx.id, ctx.signal);
  const slots: SlotExpect[] = (['a', 'b'] as const).flatMap((s) => {
    const root = ctx.part(`root-${s}`);
    if (!root) return [];
    const verity = ctx.part(`verity-${s}`) ?? null;
    const own = want.slots?.[s];
    return [{ slot: s, root, verity, bytes: own?.rootfsBytes ?? want.rootfsBytes, sha256: own?.rootfsSha256 ?? want.rootfsSha256, rootHash: own ? own.rootHash : want.rootHash }];
  });
  const caches = want.caches ?? [];
  const cachePart = caches.length ? cachesPartition(ctx) : undefined;
  if (caches.length && !cachePart) throw new Error('the plan has no partition with @caches for the caches to verify');
  const esp = ctx.part('esp');
  const expect = { slots, esp: esp ? { startBytes: esp.startBytes, files: want.espFiles } : null, caches: cachePart ? { part: cachePart, list: caches } : null };
  const outcomes = await runStickChecks(expect, helperReader(ctx, want), {
    onBytes: (done, total) => ctx.progress(done, total),
    aborted: () => ctx.signal.aborted,
  });
  if (want.payload?.length) outcomes.push(await verifyPayload(ctx, want.payload));
  const failed = outcomes.filter((c) => !c.ok);
  if (failed.length) {
    const message = failed.map((c) => c.detail).join('; ');
    // a slot that reads back wrong is what the reader needs to know (its verity check fails with it)
    const slot = failed.find((c) => c.slotDiffers)?.slotDiffers;
    const [first, ...more] = failed.map((c) => ({ id: c.id, ok: c.ok, said: c.said }));
    throw new FailureError(message, slot ? { key: 'slot-differs', slot: slot.slot, byte: slot.byte } : { key: 'verify-failed', checks: [first!, ...more] });
  }
  const total = checkBytesTotal(expect);
  if (total > 0) ctx.progress(total, total, true);
  for (const p of ctx.plan.partitions.filter((x) => x.filesystem === 'btrfs')) await checkBtrfs(ctx, p.startBytes, p.sizeBytes);
}

/** `btrfs check --readonly` of one partition, through a loop of its own; asked again when it raced (btrfsCheckRaced). */
async function checkBtrfs(ctx: TargetCtx, start: number, size: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withLoop(ctx.disk, start, size, (dev) => checkReadonly(dev, { signal: ctx.signal }), { readOnly: true, signal: ctx.signal });
      return;
    } catch (err) {
      if (attempt === BTRFS_CHECK_TRIES || ctx.signal.aborted || !(err instanceof ToolError) || !btrfsCheckRaced(err.stderr)) throw err;
      ctx.log('info', `btrfs check could not read the mount table (${err.stderr.trim().split('\n').at(-1) ?? ''}); checking again`);
    }
  }
}
