// Pieces shared by the bundle planner and the raw planner: the plan envelope and unique GUIDs.
import { ALIGNMENT_BYTES, type GptGeometry } from './gpt.ts';
import { GUID_PATTERN, guidFromSeed } from './guid.ts';
import { PlanError, type PartitionPlan, type PartitionRole, type PlanOptions, type PlannedPartition } from './plan-types.ts';

export function finishPlan(
  profileId: string, diskBytes: number, geo: GptGeometry, neededBytes: number, partitions: PlannedPartition[], options: PlanOptions,
): PartitionPlan {
  const plan: PartitionPlan = {
    profileId,
    diskBytes,
    sectorSize: geo.sectorSize,
    alignmentBytes: ALIGNMENT_BYTES,
    firstUsableLba: geo.firstUsableLba,
    lastUsableLba: geo.lastUsableLba,
    neededBytes,
    partitions,
  };
  const diskGuid = uniqueGuid('disk', options);
  if (diskGuid) plan.diskGuid = diskGuid;
  return plan;
}

export function uniqueGuid(role: PartitionRole | 'disk', options: PlanOptions): string | undefined {
  const given = options.uuids?.[role];
  if (given !== undefined) {
    const g = given.toLowerCase();
    if (!GUID_PATTERN.test(g)) throw new PlanError(`uuids.${role}: "${given}" is not a GUID`, { reason: 'bad-value', what: 'guid', value: given });
    return g;
  }
  return options.seed === undefined ? undefined : guidFromSeed(options.seed, role);
}
