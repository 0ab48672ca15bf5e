// Whether a cache set's bytes fit on a stick laid out by a plan: pure and shared, so the GUI's cache step shows
// per stick what the job service then refuses. The caches go into the Btrfs partition that has @caches; that
// partition is the one that grows to fill the stick, so every byte above the plan's minimum is theirs.
import { formatBytes, formatBytesApart, groupDigits } from '../format/bytes.ts';

const MiB = 1024 * 1024;

/** What a plan tells about fit: the stick's bytes, the least it needs without caches, its partitions. */
export interface FitPlan {
  diskBytes: number;
  neededBytes: number;
  partitions: { filesystem: string; btrfs?: { subvolumes: string[] } | undefined }[];
}

export type CacheFit =
  /** roomBytes: what the caches partition holds above the plan's minimum, less the Btrfs allowance */
  | { kind: 'fits'; roomBytes: number; neededBytes: number }
  /** neededBytes: the smallest stick that takes this profile, this system and these caches */
  | { kind: 'too-small'; neededBytes: number }
  | { kind: 'no-caches' };

/**
 * Bytes a Btrfs partition gives up to hold `cacheBytes` of files: the files, 10% for metadata (kept twice)
 * and small files' whole blocks, and 32 MiB for the chunk allocator's slack; whole MiB.
 */
export function cacheRoomBytes(cacheBytes: number): number {
  if (cacheBytes <= 0) return 0;
  return Math.ceil((cacheBytes * 1.1 + 32 * MiB) / MiB) * MiB;
}

export function cacheFit(plan: FitPlan, cacheBytes: number): CacheFit {
  const holder = plan.partitions.findIndex((p) => p.filesystem === 'btrfs' && (p.btrfs?.subvolumes.includes('@caches') ?? false));
  if (holder < 0) return { kind: 'no-caches' };
  // Only the last partition grows: a caches partition before it has no room beyond its own content.
  const headroom = holder === plan.partitions.length - 1 ? Math.max(0, plan.diskBytes - plan.neededBytes) : 0;
  const room = cacheRoomBytes(cacheBytes);
  const neededBytes = plan.neededBytes + room;
  if (room > headroom) return { kind: 'too-small', neededBytes };
  return { kind: 'fits', roomBytes: headroom - room, neededBytes };
}

/** The refusal in words, for the job service and the CLI (the GUI says it in its own catalogue). */
export function cacheFitMessage(target: string, targetBytes: number, fit: CacheFit, profileId: string, cacheBytes: number): string | null {
  if (fit.kind === 'fits') return null;
  if (fit.kind === 'no-caches') return `${target}: the ${profileId} profile has no @caches subvolume; choose a profile that carries caches (classroom, appliance)`;
  const [has, needs] = formatBytesApart(targetBytes, fit.neededBytes);
  return `${target}: target is ${has} but the ${profileId} profile with ${formatBytes(cacheBytes)} of caches needs at least ${needs} (${groupDigits(fit.neededBytes)} bytes)`;
}
