// planLayout(profile, bundle, targetBytes, options) -> PartitionPlan: pure and exact (design.md, "On-stick format").
// Partitions follow the profile's order from the first 1 MiB boundary, each a whole number of MiB;
// the growing partition (always the last) ends on the last 1 MiB boundary before the backup GPT.
import type { BundleManifest, RootfsKind } from '../profile/bundle-manifest.ts';
import type { ImageProfile, ProfilePartition } from '../profile/profile-schema.ts';
import { cacheRoomBytes } from '../caches/cache-fit.ts';
import { formatBytes, formatBytesApart, groupDigits } from '../format/bytes.ts';
import { parseSizeSpec, resolveFit } from '../profile/size-spec.ts';
import { ALIGNMENT_BYTES, ATTR_READ_ONLY, MIN_BTRFS_BYTES, SECTOR_SIZES, TYPE_GUIDS, alignDown, alignUp, gptGeometry } from './gpt.ts';
import { finishPlan, uniqueGuid } from './plan-common.ts';
import {
  PlanError, TooSmallError,
  type BundleSizes, type PartitionPlan, type PartitionRole, type PlanOptions, type PlannedFilesystem, type PlannedPartition, type RawImageSource, type SlotRoom,
} from './plan-types.ts';
import { planRaw } from './raw-plan.ts';
import { verityHashBytes } from './verity-size.ts';

export type PlanSource = BundleManifest | BundleSizes | RawImageSource;

/** The sizes of a loaded bundle manifest that the planner uses. */
export function bundleSizes(m: BundleManifest): BundleSizes {
  const size = (name: string) => m.files[name]?.sizeBytes ?? 0;
  return {
    rootfsKind: m.rootfs.kind,
    rootfsBytes: m.rootfs.sizeBytes,
    verityBytes: m.verity ? m.verity.sizeBytes : null,
    arch: m.arch,
    bootBytes: { bootloader: size(m.bootloader), perSlot: size(m.kernel) + size(m.initrd) },
  };
}

const FS_OF_ROOTFS: Record<RootfsKind, PlannedFilesystem> = { squashfs: 'squashfs', erofs: 'erofs', 'btrfs-seed': 'btrfs', raw: 'raw' };

export function partitionName(role: PartitionRole): string {
  if (role === 'esp') return 'IIOS-ESP';
  if (role === 'persistence') return 'iios-data';
  return `iios-${role}`;
}

export function planLayout(profile: ImageProfile, source: PlanSource, targetBytes: number, options: PlanOptions = {}): PartitionPlan {
  const sectorSize = options.sectorSize ?? 512;
  if (!SECTOR_SIZES.includes(sectorSize)) throw new PlanError(`sector size ${String(sectorSize)} is not supported (512 or 4096)`, { reason: 'bad-value', what: 'sector-size', value: String(sectorSize) });
  if (!Number.isSafeInteger(targetBytes) || targetBytes < 0) throw new PlanError(`target size ${targetBytes} is not a whole number of bytes`, { reason: 'bad-value', what: 'target-size', value: String(targetBytes) });
  const geo = gptGeometry(targetBytes, sectorSize);
  if (profile.mode === 'raw') {
    if (!('imageBytes' in source)) throw new PlanError('the raw profile writes a disk image: give the image, not a bundle', { reason: 'needs-image', profile: profile.id });
    return planRaw(profile, source, targetBytes, geo, options);
  }
  if ('imageBytes' in source) throw new PlanError(`the ${profile.id} profile lays out a bundle; a disk image goes with the raw profile`, { reason: 'needs-bundle', profile: profile.id });
  const sizes = 'format' in source ? bundleSizes(source) : source;
  checkContent(profile, sizes);

  let cursor = alignUp(geo.firstUsableLba * sectorSize);
  const extents: { part: ProfilePartition; start: number; size: number; grows: boolean }[] = [];
  for (const [i, part] of profile.partitions.entries()) {
    const spec = parseSizeSpec(part.size);
    if (!spec) throw new PlanError(`partitions[${i}].size: "${part.size}" is not a size`, { reason: 'profile-size', field: `partitions[${i}].size`, text: part.size });
    if (spec.kind === 'grow') {
      const min = part.minSize ? resolveBytes(part.minSize, part, sizes) : ALIGNMENT_BYTES;
      const floor = filesystemOf(part, sizes.rootfsKind) === 'btrfs' ? MIN_BTRFS_BYTES : ALIGNMENT_BYTES;
      const size = alignUp(Math.max(min, floor));
      extents.push({ part, start: cursor, size, grows: true });
      cursor += size;
      continue;
    }
    const size = alignUp(resolveBytes(part.size, part, sizes));
    const content = contentOf(part.role, sizes);
    if (content !== undefined && size < content) {
      throw new PlanError(
        `${partitionName(part.role)} is ${formatBytes(size)} (partitions[${i}].size "${part.size}") but its content is ${groupDigits(content)} bytes`,
        { reason: 'content-too-big', partition: partitionName(part.role), sizeBytes: size, contentBytes: content },
      );
    }
    if (size === 0) throw new PlanError(`partitions[${i}].size: "${part.size}" is zero`, { reason: 'profile-size', field: `partitions[${i}].size`, text: part.size });
    if (filesystemOf(part, sizes.rootfsKind) === 'btrfs' && !part.role.startsWith('root-') && size < MIN_BTRFS_BYTES) {
      const [is, min] = formatBytesApart(size, MIN_BTRFS_BYTES);
      throw new PlanError(`${partitionName(part.role)} is ${is}, but a Btrfs partition needs at least ${min} (${groupDigits(MIN_BTRFS_BYTES)} bytes)`, {
        reason: 'btrfs-too-small',
        partition: partitionName(part.role),
        sizeBytes: size,
        minBytes: MIN_BTRFS_BYTES,
      });
    }
    extents.push({ part, start: cursor, size, grows: false });
    cursor += size;
  }
  checkEsp(profile, sizes, extents);

  const neededBytes = cursor + geo.backupBytes;
  if (targetBytes < neededBytes) throw new TooSmallError(profile.id, targetBytes, neededBytes);
  const usableEnd = alignDown((geo.lastUsableLba + 1) * sectorSize);
  const keep = cacheRoomToKeep(extents, sizes.rootfsKind, options);
  const slotRoom = roomForSlots(extents, Math.max(0, usableEnd - cursor - keep));
  if (slotRoom && keep > 0) slotRoom.cacheRoomBytes = keep;
  const last = extents[extents.length - 1];
  if (last?.grows) last.size = usableEnd - last.start;

  const arch = sizes.arch ?? 'x86_64';
  const partitions = extents.map(({ part, start, size }, i): PlannedPartition => {
    const role = part.role;
    const verity = role === 'verity-a' || role === 'verity-b';
    const planned: PlannedPartition = {
      index: i + 1,
      role,
      name: partitionName(role),
      typeGuid: typeGuidOf(role, arch),
      startLba: start / sectorSize,
      sizeLba: size / sectorSize,
      startBytes: start,
      sizeBytes: size,
      readOnly: verity,
      attributes: verity ? [ATTR_READ_ONLY] : [],
      filesystem: filesystemOf(part, sizes.rootfsKind),
    };
    const content = contentOf(role, sizes);
    if (content !== undefined && role !== 'system') planned.contentBytes = content;
    if (part.btrfs) planned.btrfs = structuredClone(part.btrfs);
    const guid = uniqueGuid(role, options);
    if (guid) planned.uniqueGuid = guid;
    return planned;
  });
  const plan = finishPlan(profile.id, targetBytes, geo, neededBytes, partitions, options);
  if (slotRoom) plan.slotRoom = slotRoom;
  return plan;
}

/**
 * The spare room the caches partition must keep before the slots may grow: what the caches need there beyond its
 * minimum (cache-fit.ts, the rule cacheFit answers with), so that a stick the fit rule accepts is laid out with
 * that room in the partition where @caches lives. Only the growing last partition takes caches' room.
 */
function cacheRoomToKeep(extents: { part: ProfilePartition; size: number; grows: boolean }[], rootfsKind: RootfsKind, options: PlanOptions): number {
  if (options.cacheRoomBytes !== undefined) return options.cacheRoomBytes;
  const last = extents[extents.length - 1];
  if (!options.caches || !last?.grows) return 0;
  if (filesystemOf(last.part, rootfsKind) !== 'btrfs' || !last.part.btrfs?.subvolumes.includes('@caches')) return 0;
  return cacheRoomBytes(options.caches, last.size);
}

/**
 * Root slots with a preferredSize get it where the stick has the room (`max(size, preferredSize)`), else the
 * largest whole MiB the spare room allows, every slot the same; each verity partition grows to hold the hash tree
 * of a root image that fills its slot. The extents after them move up; `spare` is what the layout leaves free
 * (less the caches' room, cacheRoomToKeep).
 */
function roomForSlots(extents: { part: ProfilePartition; start: number; size: number }[], spare: number): SlotRoom | undefined {
  const roots = extents.filter((e) => e.part.role === 'root-a' || e.part.role === 'root-b');
  const verities = extents.filter((e) => e.part.role === 'verity-a' || e.part.role === 'verity-b');
  const preferred = roots[0]?.part.preferredSize ? parseSizeSpec(roots[0].part.preferredSize) : null;
  if (!preferred || preferred.kind !== 'absolute') return undefined;
  const minRoot = Math.max(...roots.map((e) => e.size));
  const minVerity = Math.max(0, ...verities.map((e) => e.size));
  const want = Math.max(minRoot, alignUp(preferred.bytes));
  const verityFor = (root: number) => Math.max(minVerity, alignUp(verityHashBytes(root)));
  const cost = (root: number) => roots.length * (root - minRoot) + verities.length * (verityFor(root) - minVerity);
  // the largest whole MiB between the minimum and the preferred size that the spare room pays for
  let lo = minRoot / ALIGNMENT_BYTES;
  let hi = want / ALIGNMENT_BYTES;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (cost(mid * ALIGNMENT_BYTES) <= spare) lo = mid;
    else hi = mid - 1;
  }
  const rootBytes = lo * ALIGNMENT_BYTES;
  const verityBytes = verityFor(rootBytes);
  for (const e of roots) e.size = rootBytes;
  for (const e of verities) e.size = verityBytes;
  let cursor = extents[0]?.start ?? 0;
  for (const e of extents) {
    e.start = cursor;
    cursor += e.size;
  }
  return { rootBytes, verityBytes, preferredBytes: want, minimumBytes: minRoot, grownBytes: cost(rootBytes) };
}

function checkContent(profile: ImageProfile, sizes: BundleSizes): void {
  const kinds = profile.rootfsKinds;
  if (kinds && !kinds.includes(sizes.rootfsKind)) {
    throw new PlanError(`the ${profile.id} profile takes ${kinds.join(' or ')} root images; this bundle's is ${sizes.rootfsKind}`, { reason: 'rootfs-kind', profile: profile.id, kinds: [...kinds], kind: sizes.rootfsKind });
  }
  if (profile.mode === 'ab' && sizes.verityBytes === null) {
    throw new PlanError(`the ${profile.id} profile seals its slots with dm-verity; this bundle has no verity hash tree`, { reason: 'no-verity', profile: profile.id });
  }
}

/** The ESP holds the bootloader and a kernel + initrd per slot, plus FAT metadata (5% + 1 MiB). */
function checkEsp(profile: ImageProfile, sizes: BundleSizes, extents: { part: ProfilePartition; size: number }[]): void {
  const esp = extents.find((e) => e.part.role === 'esp');
  if (!esp || !sizes.bootBytes) return;
  const slots = profile.mode === 'writable' ? 1 : extents.filter((e) => e.part.role.startsWith('root-')).length;
  const files = sizes.bootBytes.bootloader + sizes.bootBytes.perSlot * slots;
  const needed = Math.ceil(files * 1.05) + ALIGNMENT_BYTES;
  if (esp.size < needed) {
    const [is, need] = formatBytesApart(esp.size, needed);
    throw new PlanError(`IIOS-ESP is ${is} but the boot files of ${slots} slot(s) need ${need} (${groupDigits(needed)} bytes)`, { reason: 'esp-too-small', slots, sizeBytes: esp.size, neededBytes: needed });
  }
}

function contentOf(role: string, sizes: BundleSizes): number | undefined {
  if (role.startsWith('root-') || role === 'system') return sizes.rootfsBytes;
  if (role.startsWith('verity-')) return sizes.verityBytes ?? undefined;
  return undefined;
}

function resolveBytes(text: string, part: ProfilePartition, sizes: BundleSizes): number {
  const spec = parseSizeSpec(text);
  if (!spec || spec.kind === 'grow') throw new PlanError(`"${text}" is not a size for ${partitionName(part.role)}`, { reason: 'profile-size', field: `${partitionName(part.role)}.size`, text });
  if (spec.kind === 'absolute') return spec.bytes;
  const fit = contentOf(part.role, sizes);
  if (fit === undefined) throw new PlanError(`${partitionName(part.role)}: "${text}" is relative, but nothing is written to it`, { reason: 'profile-size', field: `${partitionName(part.role)}.size`, text });
  return resolveFit(spec, fit);
}

function typeGuidOf(role: PartitionRole, arch: 'x86_64' | 'aarch64'): string {
  if (role === 'esp') return TYPE_GUIDS.esp;
  if (role === 'root-a' || role === 'root-b' || role === 'system') return TYPE_GUIDS.root[arch];
  if (role === 'verity-a' || role === 'verity-b') return TYPE_GUIDS.rootVerity[arch];
  return TYPE_GUIDS.linuxData;
}

function filesystemOf(part: ProfilePartition, rootfsKind: RootfsKind): PlannedFilesystem {
  switch (part.role) {
    case 'esp':
      return 'vfat';
    case 'root-a':
    case 'root-b':
      return FS_OF_ROOTFS[rootfsKind];
    case 'verity-a':
    case 'verity-b':
      return 'verity';
    case 'system':
      return 'btrfs';
    case 'payload':
      return part.filesystem ?? 'ext4';
    case 'data':
      return part.filesystem ?? 'btrfs';
  }
}
