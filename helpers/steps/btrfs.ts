// Btrfs partitions: the writable system (iios-system: the root image unpacked into @, a read-only factory
// snapshot) and the data partition (iios-data: state, home, caches, and the bundle itself in @iios for
// offline rebuilds). Subvolumes and snapshots come from the plan (the profile), not from this file.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import type { PlannedPartition } from '../../src-shared/layout/index.ts';
import type { TargetCtx } from '../context.ts';
import { CHUNK_BYTES } from '../io/aligned.ts';
import type { BundleSource } from '../source.ts';
import { filesystemSync, snapshotReadOnly, subvolumeCreate } from '../tools/btrfs.ts';
import { withLoop } from '../tools/losetup.ts';
import { mkfsBtrfs, mkfsExt4 } from '../tools/mkfs.ts';
import { withMount } from '../tools/mount.ts';
import { run } from '../tools/run.ts';
import { limitDirty } from '../tools/writeback.ts';
import { copyCaches, type CacheEntry } from './caches.ts';
import { unsquash } from '../tools/squashfs.ts';
import { PhaseMeter, squashfsContentBytes } from './btrfs-progress.ts';

/** What the phase will copy, in bytes: the unpacked system, the bundle's files, the caches. */
async function plannedBytes(ctx: TargetCtx, part: PlannedPartition, bundle: BundleSource | null, caches: CacheEntry[]) {
  const subvolumes = part.btrfs?.subvolumes ?? [];
  const m = bundle?.manifest;
  let system = 0;
  if (m && part.role === 'system') {
    // squashfs unpacks to more than the image holds: count its files; erofs/btrfs-seed: the image size.
    system = m.rootfs.kind === 'squashfs' ? await squashfsContentBytes(bundle.files[m.rootfs.file]!, { signal: ctx.signal }) : m.rootfs.sizeBytes;
  }
  const bundleBytes = m && subvolumes.includes('@iios') ? Object.values(m.files).reduce((s, f) => s + f.sizeBytes, 0) : 0;
  const cacheBytes = subvolumes.includes('@caches') ? caches.reduce((s, c) => s + c.sizeBytes, 0) : 0;
  return { system, bundle: bundleBytes, caches: cacheBytes };
}

async function fillSystem(ctx: TargetCtx, mnt: string, bundle: BundleSource, meter: PhaseMeter, bytes: number): Promise<void> {
  const m = bundle.manifest;
  const root = join(mnt, '@');
  if (m.rootfs.kind === 'squashfs') {
    await meter.whileFilling(root, bytes, unsquash(bundle.files[m.rootfs.file]!, root, { signal: ctx.signal }));
  } else if (m.rootfs.kind === 'erofs' || m.rootfs.kind === 'btrfs-seed') {
    // Mounted read-only through a loop and copied with cp -a (owners, modes, links, xattrs kept).
    const image = bundle.files[m.rootfs.file]!;
    const copy = (src: string) => meter.whileFilling(root, bytes, run('cp', ['-a', '--reflink=never', `${src}/.`, `${root}/`], { signal: ctx.signal }));
    await withLoop(image, 0, m.rootfs.sizeBytes, (dev) => withMount(dev, copy, ['ro']), { readOnly: true, signal: ctx.signal });
  } else {
    throw new Error(`the writable profile cannot unpack a ${m.rootfs.kind} root image`);
  }
  await mkdir(join(root, 'etc'), { recursive: true });
  await writeFile(join(root, 'etc/hostname'), `${ctx.target.hostname}\n`);
}

/** Copies one file, counting its bytes as they are written. */
async function copyCounting(src: string, dest: string, meter: PhaseMeter, signal: AbortSignal): Promise<void> {
  const { mode } = await stat(src);
  const count = async function* (chunks: AsyncIterable<Buffer>) {
    for await (const c of chunks) {
      meter.add(c.length);
      yield c;
    }
  };
  await pipeline(createReadStream(src, { highWaterMark: CHUNK_BYTES }), count, createWriteStream(dest, { mode: mode & 0o777 }), { signal });
}

async function copyBundle(ctx: TargetCtx, mnt: string, bundle: BundleSource, meter: PhaseMeter): Promise<void> {
  const m = bundle.manifest;
  const dest = join(mnt, '@iios', 'bundles', `${m.name}-${m.version}`);
  await mkdir(dest, { recursive: true });
  // the manifest as it was read and checked (the bundle folder itself may have changed since)
  await writeFile(join(dest, 'manifest.json'), bundle.manifestText);
  for (const [name, path] of Object.entries(bundle.files)) {
    if (ctx.signal.aborted) throw new Error('cancelled');
    await mkdir(join(dest, name, '..'), { recursive: true });
    await copyCounting(path, join(dest, name), meter, ctx.signal);
  }
}

/**
 * The profile the stick was written with, as JSON in @iios/profiles/<id>.json beside the bundle: a clone plans
 * the same profile for another stick's size, with no network and no profile library on the computer.
 */
export async function storeProfile(ctx: TargetCtx, mnt: string): Promise<void> {
  const dir = join(mnt, '@iios', 'profiles');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${ctx.profile.id}.json`), `${JSON.stringify(ctx.profile, null, 2)}\n`);
}

/**
 * mkfs + subvolumes + content + snapshots on one Btrfs (or ext4, raw persistence) partition. Progress: the
 * system and bundle bytes in the btrfs phase, the caches' bytes in the caches phase (copyCaches enters it);
 * the phase that runs last ends at 100% only after the snapshots and the sync.
 */
export async function formatPartition(ctx: TargetCtx, part: PlannedPartition, bundle: BundleSource | null, caches: CacheEntry[] = []): Promise<void> {
  const bytes = await plannedBytes(ctx, part, bundle, caches);
  const meter = new PhaseMeter(ctx, bytes.system + bytes.bundle);
  meter.start();
  await withLoop(
    ctx.disk,
    part.startBytes,
    part.sizeBytes,
    async (dev) => {
      if (part.filesystem === 'ext4') {
        await mkfsExt4(dev, part.name, { signal: ctx.signal });
        return;
      }
      await mkfsBtrfs(dev, part.name, { signal: ctx.signal });
      if (!part.btrfs) return;
      const layout = part.btrfs;
      await withMount(dev, async (mnt) => {
        // writeback from the first dirty MiB on, at the stick's pace, instead of one long sync at the end
        const unlimited = await limitDirty(dev, undefined, { signal: ctx.signal });
        if (unlimited) ctx.log('debug', unlimited);
        for (const sv of layout.subvolumes) await subvolumeCreate(join(mnt, sv), { signal: ctx.signal });
        if (bundle && part.role === 'system') await fillSystem(ctx, mnt, bundle, meter, bytes.system);
        if (layout.subvolumes.includes('@iios')) await storeProfile(ctx, mnt);
        if (bundle && layout.subvolumes.includes('@iios')) await copyBundle(ctx, mnt, bundle, meter);
        let last = meter;
        if (layout.subvolumes.includes('@caches') && caches.length) {
          meter.end();
          const copying = copyCaches(ctx, mnt, caches);
          last = new PhaseMeter(ctx, bytes.caches);
          last.start();
          await last.whileFilling(join(mnt, '@caches'), bytes.caches, copying);
        }
        for (const s of layout.snapshots) {
          if (!s.readOnly) throw new Error(`snapshot ${s.path}: only read-only snapshots are made at write time`);
          await snapshotReadOnly(join(mnt, s.source), join(mnt, s.path), { signal: ctx.signal });
        }
        await filesystemSync(mnt, { signal: ctx.signal });
        last.end();
      });
    },
    // straight to the stick, not through its page cache (a second cache in a row that the kernel writes out late)
    { signal: ctx.signal, directIo: true },
  );
  if (part.filesystem === 'ext4' || !part.btrfs) meter.end();
}

/** Where a profile keeps offline caches: the Btrfs partition that has a @caches subvolume (if any). */
export function cachesPartition(ctx: TargetCtx): PlannedPartition | undefined {
  return ctx.plan.partitions.find((p) => p.filesystem === 'btrfs' && p.btrfs?.subvolumes.includes('@caches'));
}

export async function btrfs(ctx: TargetCtx, bundle: BundleSource, caches: CacheEntry[] = []): Promise<void> {
  const parts = ctx.plan.partitions.filter((p) => (p.role === 'system' || p.role === 'data') && p.filesystem !== 'vfat');
  for (const p of parts) {
    ctx.enter('btrfs');
    await formatPartition(ctx, p, bundle, caches);
  }
}
