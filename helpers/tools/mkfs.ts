// Filesystem creation on a (loop) device covering exactly one partition. Never with discard: through a loop a
// discard reaches a stick as zero-writes of the whole partition (minutes on a large stick for a few MB of content);
// the wipe step already cleared the old signatures, and a new filesystem needs nothing else cleared.
import { run, type RunOptions } from './run.ts';

export async function mkfsBtrfs(dev: string, label: string, opts: RunOptions = {}): Promise<void> {
  await run('mkfs.btrfs', ['-f', '-q', '-K', '-L', label, dev], opts);
}

export async function mkfsExt4(dev: string, label: string, opts: RunOptions = {}): Promise<void> {
  await run('mkfs.ext4', ['-F', '-q', '-L', label, '-E', 'lazy_itable_init=0,lazy_journal_init=0,nodiscard', dev], opts);
}

/**
 * FAT (FAT32 with `sectorsPerCluster`, else FAT16 or FAT12 by size) straight on a disk or image at a sector offset:
 * mkfs.vfat --offset needs no loop device and no mount. `kib`: the filesystem's size in KiB.
 */
export async function mkfsVfatAt(disk: string, fat: { label: string; sectorSize: number; offsetSectors: number; kib: number; fat32SectorsPerCluster: number | null }, opts: RunOptions = {}): Promise<void> {
  // Not FAT32: FAT16, FAT12 below 16 MiB. Left to itself, mkfs.vfat --offset sizes the FAT for the space from the
  // offset to the end of the disk, picks FAT32 for a small partition on a large disk, and then refuses it.
  const type = fat.fat32SectorsPerCluster ? ['-F', '32', '-s', String(fat.fat32SectorsPerCluster)] : ['-F', fat.kib >= 16 * 1024 ? '16' : '12'];
  await run('mkfs.vfat', [...type, '-n', fat.label, '-S', String(fat.sectorSize), `--offset=${fat.offsetSectors}`, disk, String(fat.kib)], opts);
}

/** `wipefs -a`: removes filesystem, RAID and partition-table signatures that libblkid knows. */
export async function wipefs(dev: string, opts: RunOptions = {}): Promise<void> {
  await run('wipefs', ['-a', '-f', dev], opts);
}
