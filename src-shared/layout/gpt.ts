// GPT geometry and the on-stick partition identities (design.md "On-stick format"; UAPI Discoverable
// Partitions Specification for the type GUIDs).
import type { BundleArch } from '../profile/bundle-manifest.ts';

export const MiB = 1024 * 1024;
/** Every partition starts and (except a raw image) ends on a 1 MiB boundary. */
export const ALIGNMENT_BYTES = MiB;
/** mkfs.btrfs refuses devices below ~109 MiB; a Btrfs partition is never planned smaller than this */
export const MIN_BTRFS_BYTES = 128 * MiB;
export const SECTOR_SIZES = [512, 4096] as const;
export type SectorSize = (typeof SECTOR_SIZES)[number];

/** The partition entry array: 128 entries of 128 bytes. */
export const GPT_ENTRIES_BYTES = 128 * 128;

export const TYPE_GUIDS = {
  esp: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  linuxData: '0fc63daf-8483-4772-8e79-3d69d8477de4',
  root: {
    x86_64: '4f68bce3-e8cd-4db1-96e7-fbcaf984b709',
    aarch64: 'b921b045-1df0-41c3-af44-4c6f280d3fae',
  } satisfies Record<BundleArch, string>,
  rootVerity: {
    x86_64: '2c7357ed-ebd2-46d9-aec1-23d437ec2bf5',
    aarch64: 'df3300ce-d69f-4c92-978c-9bfb0f38d820',
  } satisfies Record<BundleArch, string>,
  /** "unused entry": marks the extent of a raw image, which is not a GPT entry of ours */
  none: '00000000-0000-0000-0000-000000000000',
} as const;

/** GPT attribute bit 60: read-only (DPS: the partition is mounted read-only). */
export const ATTR_READ_ONLY = 60;

export interface GptGeometry {
  sectorSize: SectorSize;
  totalLba: number;
  /** 34 for 512-byte sectors (MBR + header + 32 entry sectors), 6 for 4096 (MBR + header + 4) */
  firstUsableLba: number;
  /** totalLba - 34 (512) / totalLba - 6 (4096): the backup entries and header follow it */
  lastUsableLba: number;
  /** bytes at the end of the disk taken by the backup GPT (entries + header) */
  backupBytes: number;
}

export function gptGeometry(diskBytes: number, sectorSize: SectorSize): GptGeometry {
  const entrySectors = GPT_ENTRIES_BYTES / sectorSize;
  const totalLba = Math.floor(diskBytes / sectorSize);
  return {
    sectorSize,
    totalLba,
    firstUsableLba: 2 + entrySectors,
    lastUsableLba: totalLba - 2 - entrySectors,
    backupBytes: (1 + entrySectors) * sectorSize,
  };
}

export function alignUp(bytes: number, alignment = ALIGNMENT_BYTES): number {
  return Math.ceil(bytes / alignment) * alignment;
}

export function alignDown(bytes: number, alignment = ALIGNMENT_BYTES): number {
  return Math.floor(bytes / alignment) * alignment;
}
