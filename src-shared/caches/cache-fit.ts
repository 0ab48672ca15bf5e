// Whether a cache set's bytes fit on a stick laid out by a plan: pure and shared, so the GUI's cache step shows
// per stick what the job service then refuses. The caches go into the Btrfs partition that has @caches; that
// partition is the one that grows to fill the stick. On A/B profiles the slots grow too (slotRoom), but a plan
// made for the caches (PlanOptions.caches) keeps their room for that partition first: so the answer is for the
// stick planned for these caches, as the job service and the helper plan it, whatever plan it is given.
import { formatBytes, formatBytesApart } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';

const MiB = 1024 * 1024;

/** What a plan tells about fit: the stick's bytes, the least it needs without caches, its partitions. */
export interface FitPlan {
  diskBytes: number;
  neededBytes: number;
  partitions: { sizeBytes: number; filesystem: string; btrfs?: { subvolumes: string[] } | undefined }[];
  /** A/B slots that grew past their minimum took `grownBytes` of the spare room */
  slotRoom?: { grownBytes: number } | undefined;
}

/** What the caches hold: their regular files' bytes and how many files (each costs metadata and whole blocks). */
export interface CacheContent {
  bytes: number;
  files: number;
}

export type CacheFit =
  /** roomBytes: what the caches partition holds above the plan's minimum, less what the caches take (cacheRoomBytes) */
  | { kind: 'fits'; roomBytes: number; neededBytes: number }
  /** neededBytes: the smallest stick that takes this profile, this system and these caches */
  | { kind: 'too-small'; neededBytes: number }
  | { kind: 'no-caches' };

/*
 * The rule, measured (test/bench/cache-fit.ts; btrfs-progs 6.2, kernel 6.18; the data partition made as the helper
 * makes it: mkfs.btrfs -K, metadata DUP, data single; each kind a subvolume, copied with cp -a --reflink=never).
 *
 * What a cache takes, on a roomy 4 GiB partition (data and metadata from `btrfs filesystem df`, df's used):
 *
 *   cache                            files      bytes     data    metadata×2   df used   per file beyond bytes
 *   20,000 tiny files (100 B)       20,000    1.9 MiB     0.0 MiB   24.1 MiB   24.1 MiB    1,162 B (inline, twice)
 *   20,000 small files (1 B–8 KiB)  20,000   78.1 MiB    97.6 MiB   34.7 MiB  132.3 MiB    2,842 B
 *   4 big files (64 MiB)                 4  256.0 MiB   256.0 MiB    0.6 MiB  256.6 MiB    (0.2 % of the bytes)
 *   apt repo (40 .debs, signed)         46   13.1 MiB    13.2 MiB    0.1 MiB   13.3 MiB    4,982 B
 *   OCI layout (6 images)               20   24.0 MiB    24.0 MiB    0.2 MiB   24.2 MiB   10,280 B
 *
 * So each file costs its metadata (about 1.2 KiB, kept twice) and its last block's rest (up to 4 KiB); small files
 * are kept inline in the metadata, twice. Per file 6 KiB covers the worst of both; 2 % of the bytes covers checksums
 * and extent records of big files with room to spare.
 *
 * What no cache byte can use: a fresh data partition filled with big files until it was full:
 *
 *   partition   metadata allocated (raw)   filled    left over
 *   1 GiB       102 MiB                    905 MiB   119 MiB
 *   4 GiB       512 MiB                    3567 MiB  529 MiB
 *   16 GiB      512 MiB                    15855 MiB 529 MiB
 *
 * mkfs gives metadata a tenth of the partition (both copies together), at most 256 MiB kept twice, and about
 * 17 MiB go to the system chunk and the global reserve; so the partition keeps min(size / 10, 512 MiB) + 32 MiB
 * (15 MiB to spare) for itself. Checked against the fill: the most content the rule lets onto a 1, 4 and 16 GiB
 * partition grown from a 128 MiB minimum (762, 3424, 15712 MiB) is less than what filled them (905, 3567, 15855).
 * (The old estimate, bytes + 10 % + 32 MiB, left that reserve out: a 1 GiB cache set was counted as 1.13 GiB
 * where a grown partition needs about 1.5 GiB for it; and it counted 20,000 small files of 78 MiB as 118 MiB
 * where they took 132 MiB.)
 */
const KiB = 1024;
const PER_FILE_BYTES = 6 * KiB;
const BYTES_ALLOWANCE = 0.02;
const RESERVE_CAP_BYTES = 512 * MiB;
const RESERVE_FIXED_BYTES = 32 * MiB;

/** What the caches themselves take on Btrfs: their bytes, 2 %, and 6 KiB per file. */
export function cacheContentBytes(caches: CacheContent): number {
  return Math.ceil(caches.bytes * (1 + BYTES_ALLOWANCE)) + caches.files * PER_FILE_BYTES;
}

/** What a Btrfs partition of `partitionBytes` keeps for itself (metadata chunks, kept twice, and reserves). */
export function btrfsReserveBytes(partitionBytes: number): number {
  return Math.min(Math.ceil(partitionBytes / 10), RESERVE_CAP_BYTES) + RESERVE_FIXED_BYTES;
}

/**
 * Bytes the caches partition must grow by beyond its planned minimum (`minBytes`) to hold the caches: their
 * content and what the grown partition keeps for itself (counted whole: the minimum's own free bytes are left as
 * a margin); whole MiB. The smallest x with x >= content + reserve(minBytes + x).
 */
export function cacheRoomBytes(caches: CacheContent, minBytes: number): number {
  if (caches.bytes <= 0 && caches.files <= 0) return 0;
  const content = cacheContentBytes(caches);
  // below the cap the reserve grows with x (x/10): x = (content + min/10 + fixed) / 0.9; above it, it is fixed
  const belowCap = (content + minBytes / 10 + RESERVE_FIXED_BYTES) / 0.9;
  const x = (minBytes + belowCap) / 10 <= RESERVE_CAP_BYTES ? belowCap : content + RESERVE_CAP_BYTES + RESERVE_FIXED_BYTES;
  return Math.ceil(x / MiB) * MiB;
}

export function cacheFit(plan: FitPlan, caches: CacheContent): CacheFit {
  const holder = plan.partitions.findIndex((p) => p.filesystem === 'btrfs' && (p.btrfs?.subvolumes.includes('@caches') ?? false));
  if (holder < 0) return { kind: 'no-caches' };
  // Only the last partition grows: a caches partition before it has no room beyond its own content. The spare
  // room is whole MiB (partitions end on a MiB boundary); what the slots took of it is not the partition's.
  const grows = holder === plan.partitions.length - 1;
  const headroom = grows ? Math.floor(Math.max(0, plan.diskBytes - plan.neededBytes) / MiB) * MiB : 0;
  const grown = grows ? headroom - (plan.slotRoom?.grownBytes ?? 0) : 0;
  const minBytes = Math.max(0, plan.partitions[holder]!.sizeBytes - grown);
  const room = cacheRoomBytes(caches, minBytes);
  const neededBytes = plan.neededBytes + room;
  if (room > headroom) return { kind: 'too-small', neededBytes };
  // what stays free in the caches partition: the spare room less what the slots took and what the caches take
  return { kind: 'fits', roomBytes: Math.max(0, headroom - (grows ? (plan.slotRoom?.grownBytes ?? 0) : 0) - room), neededBytes };
}

/** The refusal in words, in the language iios speaks (sizes too), for the job service and the CLI (the GUI's cache step says it its own way). */
export function cacheFitMessage(target: string, targetBytes: number, fit: CacheFit, profileId: string, cacheBytes: number): string | null {
  if (fit.kind === 'fits') return null;
  if (fit.kind === 'no-caches') return t('cacheFit.noCaches', { target, profile: profileId });
  const [size, needed] = formatBytesApart(targetBytes, fit.neededBytes);
  return t('cacheFit.tooSmall', { target, size, profile: profileId, caches: formatBytes(cacheBytes), needed, bytes: fit.neededBytes });
}
