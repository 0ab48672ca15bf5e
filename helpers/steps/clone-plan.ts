// A clone is planned like a write: the profile the stick carries, laid out for the target's own size. On top of
// the profile's minimum, every Btrfs partition must hold what the source's holds now (its used bytes and room
// for the metadata a fresh filesystem needs); a target that is too small is refused with the size it needs.
import { planLayout, TooSmallError, type PartitionPlan } from '../../src-shared/layout/index.ts';
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
    if (!p) throw new Error(`the stick's profile ${src.profile.id} has no ${b.part.name} partition`);
    most = Math.max(most, btrfsBytesFor(b.usedBytes) - p.sizeBytes);
  }
  return most;
}

/** The plan for a target of `targetBytes`, or TooSmallError with the size the clone needs. */
export function planClone(src: IiosSource, targetBytes: number, sectorSize: 512 | 4096 = 512): PartitionPlan {
  const manifest = src.manifests.a ?? src.manifests.system ?? Object.values(src.manifests)[0];
  if (!manifest) throw new Error('the stick records no slot');
  let plan: PartitionPlan;
  try {
    plan = planLayout(src.profile, manifest, targetBytes, { sectorSize });
  } catch (err) {
    if (!(err instanceof TooSmallError)) throw err;
    const atMin = planLayout(src.profile, manifest, err.neededBytes, { sectorSize });
    throw new TooSmallError(src.profile.id, targetBytes, err.neededBytes + Math.max(0, deficit(src, atMin)));
  }
  const short = deficit(src, plan);
  // the 'grow' partition takes every byte added to the disk, so the disk needs exactly the shortfall more
  if (short > 0) throw new TooSmallError(src.profile.id, targetBytes, Math.ceil((targetBytes + short) / MiB) * MiB);
  return plan;
}
