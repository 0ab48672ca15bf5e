// PartitionPlan (design.md, "On-stick format"): the exact layout of one stick, in sectors and bytes.
import type { BundleArch, RootfsKind } from '../profile/bundle-manifest.ts';
import type { BtrfsLayout } from '../profile/profile-schema.ts';
import { formatBytesApart } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';
import type { SectorSize } from './gpt.ts';
import type { ErrorDetails, ErrorDetailsOf } from '../contract/error-details.ts';
import type { CacheContent } from '../caches/cache-fit.ts';
import type { PlanProblem } from './plan-problem.ts';

export type PartitionRole =
  | 'esp' | 'root-a' | 'verity-a' | 'root-b' | 'verity-b' | 'system' | 'payload' | 'data' | 'raw-image' | 'persistence';
export type PlannedFilesystem = 'vfat' | 'btrfs' | 'ext4' | 'squashfs' | 'erofs' | 'verity' | 'raw' | 'none';

export interface PlannedPartition {
  /** 1-based GPT partition number; 0 for the raw image extent and the raw profile's persistence
   *  partition (sgdisk's "first free number": the raw image's own table decides it) */
  index: number;
  role: PartitionRole;
  name: string;
  typeGuid: string;
  startLba: number;
  sizeLba: number;
  startBytes: number;
  sizeBytes: number;
  readOnly: boolean;
  /** GPT attribute bit numbers (60 = read-only) */
  attributes: number[];
  filesystem: PlannedFilesystem;
  /** unique partition GUID, only when options.seed or options.uuids gave one */
  uniqueGuid?: string;
  /** bytes of bundle content written raw into the partition (root image, hash tree, disk image) */
  contentBytes?: number;
  /** subvolumes and snapshots to create (Btrfs partitions) */
  btrfs?: BtrfsLayout;
}

/** What the writer does for the raw profile, in order (see raw-plan.ts). */
export interface RawPlanStep {
  step: 'write-image' | 'relocate-gpt' | 'add-partition' | 'mkfs';
  description: string;
  /** argument vector with "<disk>" for the target device or image file */
  argv?: string[];
}

export interface PartitionPlan {
  profileId: string;
  diskBytes: number;
  sectorSize: SectorSize;
  alignmentBytes: number;
  firstUsableLba: number;
  lastUsableLba: number;
  /** the smallest target this profile and content fit on */
  neededBytes: number;
  diskGuid?: string;
  partitions: PlannedPartition[];
  /** raw profile only */
  rawSteps?: RawPlanStep[];
  /** A/B profiles whose root slots prefer a size (room for larger updates): what each slot got, and why */
  slotRoom?: SlotRoom;
}

/** The room of each A/B root slot: `max(size, preferredSize)` where the stick allows, else as much as it does. */
export interface SlotRoom {
  /** bytes each root slot has: the largest root image an update can write there */
  rootBytes: number;
  /** bytes each verity partition has */
  verityBytes: number;
  /** what the profile asks for where the stick allows it, and the least it takes (its `size` for this bundle) */
  preferredBytes: number;
  minimumBytes: number;
  /** bytes the slots and their verity partitions took beyond their minimum, out of the stick's spare room */
  grownBytes: number;
  /** spare room kept for the caches partition before the slots grew (PlanOptions.caches); absent when none */
  cacheRoomBytes?: number;
}

/** The sizes a plan needs from a bundle (a loaded manifest gives them through bundleSizes()). */
export interface BundleSizes {
  rootfsKind: RootfsKind;
  rootfsBytes: number;
  /** null: the bundle has no verity hash tree (A/B profiles refuse it) */
  verityBytes: number | null;
  arch?: BundleArch;
  /** bootloader + kernel + initrd bytes, when known: checked against the ESP size */
  bootBytes?: { bootloader: number; perSlot: number };
}

/** A raw disk image (raw profile): its uncompressed size. */
export interface RawImageSource {
  imageBytes: number;
}

export interface PlanOptions {
  sectorSize?: SectorSize;
  /** derive unique partition GUIDs and the disk GUID from this seed (deterministic) */
  seed?: string;
  /** explicit unique GUIDs by role (win over the seed); `disk` for the disk GUID */
  uuids?: Partial<Record<PartitionRole | 'disk', string>>;
  /** raw profile: add the persistence partition (default: the profile's raw.persistence.enabled) */
  persistence?: boolean;
  /**
   * The caches the stick will carry in its growing @caches partition: the room they need there (cache-fit.ts)
   * is kept for that partition before A/B slots grow past their minimum, so the slots never take the caches' room.
   */
  caches?: CacheContent;
  /** That room as bytes, as a written stick's stamp recorded it (re-planning the stick); wins over `caches` */
  cacheRoomBytes?: number;
}

/** The profile and bundle cannot be laid out (wrong kind of content, content larger than a fixed slot…). */
export class PlanError extends Error {
  override name = 'PlanError';
  /** travels through the IPC error envelope */
  readonly code: string = 'E_PLAN';
  constructor(
    message: string,
    /** The reason typed, for the reader's language (TooSmallError has its own numbers instead). */
    readonly problem?: PlanProblem,
  ) {
    super(message);
  }

  /** What crosses the IPC error envelope: the reason typed, so the GUI says it in its own language. */
  get details(): ErrorDetails | undefined {
    return this.problem ? { kind: 'plan', problem: this.problem } : undefined;
  }
}

/** The target is smaller than the profile needs with this content. */
export class TooSmallError extends PlanError {
  override name = 'TooSmallError';
  override readonly code: string = 'E_TOO_SMALL';
  constructor(
    readonly profileId: string,
    readonly targetBytes: number,
    readonly neededBytes: number,
  ) {
    super(tooSmallMessage(profileId, targetBytes, neededBytes));
  }

  /** What crosses the IPC error envelope: the sizes as numbers. */
  override get details(): ErrorDetailsOf<'too-small'> {
    return { kind: 'too-small', profileId: this.profileId, targetBytes: this.targetBytes, neededBytes: this.neededBytes };
  }
}

function tooSmallMessage(profileId: string, targetBytes: number, neededBytes: number): string {
  const [target, needed] = formatBytesApart(targetBytes, neededBytes);
  return t('plan.tooSmall', { target, profile: profileId, needed, bytes: neededBytes });
}
