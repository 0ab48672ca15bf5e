// Btrfs partitions: the writable system (iios-system: the root image unpacked into @, a read-only factory
// snapshot) and the data partition (iios-data: state, home, caches, and the bundle itself in @iios for
// offline rebuilds). Subvolumes and snapshots come from the plan (the profile), not from this file.
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlannedPartition } from '../../src-shared/layout/index.ts';
import type { TargetCtx } from '../context.ts';
import type { BundleSource } from '../source.ts';
import { filesystemSync, snapshotReadOnly, subvolumeCreate } from '../tools/btrfs.ts';
import { withLoop } from '../tools/losetup.ts';
import { mkfsBtrfs, mkfsExt4 } from '../tools/mkfs.ts';
import { withMount } from '../tools/mount.ts';
import { run } from '../tools/run.ts';
import { copyCaches, type CacheEntry } from './caches.ts';
import { unsquash } from '../tools/squashfs.ts';

async function fillSystem(ctx: TargetCtx, mnt: string, bundle: BundleSource): Promise<void> {
  const m = bundle.manifest;
  const root = join(mnt, '@');
  if (m.rootfs.kind === 'squashfs') {
    await unsquash(bundle.files[m.rootfs.file]!, root, { signal: ctx.signal });
  } else if (m.rootfs.kind === 'erofs' || m.rootfs.kind === 'btrfs-seed') {
    // Mounted read-only through a loop and copied with cp -a (owners, modes, links, xattrs kept).
    const image = bundle.files[m.rootfs.file]!;
    await withLoop(image, 0, m.rootfs.sizeBytes, (dev) => withMount(dev, (src) => run('cp', ['-a', '--reflink=never', `${src}/.`, `${root}/`], { signal: ctx.signal }), ['ro']), {
      readOnly: true,
      signal: ctx.signal,
    });
  } else {
    throw new Error(`the writable profile cannot unpack a ${m.rootfs.kind} root image`);
  }
  await mkdir(join(root, 'etc'), { recursive: true });
  await writeFile(join(root, 'etc/hostname'), `${ctx.target.hostname}\n`);
}

async function copyBundle(ctx: TargetCtx, mnt: string, bundle: BundleSource): Promise<void> {
  const m = bundle.manifest;
  const dest = join(mnt, '@iios', 'bundles', `${m.name}-${m.version}`);
  await mkdir(dest, { recursive: true });
  await cp(join(bundle.dir, 'manifest.json'), join(dest, 'manifest.json'));
  for (const [name, path] of Object.entries(bundle.files)) {
    if (ctx.signal.aborted) throw new Error('cancelled');
    await mkdir(join(dest, name, '..'), { recursive: true });
    await cp(path, join(dest, name));
  }
}

/** mkfs + subvolumes + content + snapshots on one Btrfs (or ext4, raw persistence) partition. */
export async function formatPartition(ctx: TargetCtx, part: PlannedPartition, bundle: BundleSource | null, caches: CacheEntry[] = []): Promise<void> {
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
        for (const sv of layout.subvolumes) await subvolumeCreate(join(mnt, sv), { signal: ctx.signal });
        if (bundle && part.role === 'system') await fillSystem(ctx, mnt, bundle);
        if (bundle && part.role === 'data' && layout.subvolumes.includes('@iios')) await copyBundle(ctx, mnt, bundle);
        if (layout.subvolumes.includes('@caches')) await copyCaches(ctx, mnt, caches);
        for (const s of layout.snapshots) {
          if (!s.readOnly) throw new Error(`snapshot ${s.path}: only read-only snapshots are made at write time`);
          await snapshotReadOnly(join(mnt, s.source), join(mnt, s.path), { signal: ctx.signal });
        }
        await filesystemSync(mnt, { signal: ctx.signal });
      });
    },
    { signal: ctx.signal },
  );
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
