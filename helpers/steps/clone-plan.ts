// A clone is planned like a write: the profile the stick carries, laid out for the target's own size. On top of
// the profile's minimum, every Btrfs partition must hold what the source's holds now (its used bytes and room
// for the metadata a fresh filesystem needs); a target that is too small is refused with the size it needs.
import { PlanError, planLayout, TooSmallError, type PartitionPlan } from '../../src-shared/layout/index.ts';
import type { IiosSource } from './clone-source.ts';

const MiB = 1024 * 1024;

/** What a Btrfs partition needs to take `usedBytes` of content (metadata is duplicated on a fresh filesystem). */
export function btrfsBytesFor(usedBytes: number): number {
  return Math.ceil((usedBytes * 1.15 + 256 * MiB) / MiB) * MiB;
}

function deficit(src: IiosSource, plan: PartitionPlan): number {
  let most = 0;
  for (const b of src.btrfs) {
    const p = plan.partitions.find((x) => x.name === b.part.name);
    if (!p) throw new PlanError(`the stick's profile ${src.profile.id} has no ${b.part.name} partition`, { reason: 'missing-partition', profile: src.profile.id, partition: b.part.name });
    most = Math.max(most, btrfsBytesFor(b.usedBytes) - p.sizeBytes);
  }
  return most;
}

/**
 * The plan for a target of `targetBytes`, or TooSmallError with the size the clone needs. What the content needs
 * beyond the profile's minimum is kept for the growing partition before A/B slots grow (as a write keeps its
 * caches' room): a source whose data filled its stick clones onto a stick of the same size, and the size a
 * too-small target is told is enough.
 */
export function planClone(src: IiosSource, targetBytes: number, sectorSize: 512 | 4096 = 512): PartitionPlan {
  const manifest = src.manifests.a ?? src.manifests.system ?? Object.values(src.manifests)[0];
  if (!manifest) throw new PlanError('the stick records no slot', { reason: 'no-slot' });
  const atMin = planLayout(src.profile, manifest, minimumBytes(src, manifest, sectorSize), { sectorSize });
  const keep = Math.max(0, deficit(src, atMin));
  const options = { sectorSize, ...(keep > 0 ? { cacheRoomBytes: keep } : {}) };
  let plan: PartitionPlan;
  try {
    plan = planLayout(src.profile, manifest, targetBytes, options);
  } catch (err) {
    if (!(err instanceof TooSmallError)) throw err;
    throw new TooSmallError(src.profile.id, targetBytes, atMin.diskBytes + keep);
  }
  const short = deficit(src, plan);
  // the growing partition takes every byte added to the disk (the slots grow only past the kept room)
  if (short > 0) throw new TooSmallError(src.profile.id, targetBytes, Math.ceil((targetBytes + short) / MiB) * MiB);
  return plan;
}

/** The least disk the profile takes with this system (planLayout's own answer to a disk too small). */
function minimumBytes(src: IiosSource, manifest: Parameters<typeof planLayout>[1], sectorSize: 512 | 4096): number {
  try {
    return planLayout(src.profile, manifest, 0, { sectorSize }).diskBytes;
  } catch (err) {
    if (err instanceof TooSmallError) return err.neededBytes;
    throw err;
  }
}
