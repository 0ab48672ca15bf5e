// zod schema of PartitionPlan, for the places where a plan crosses a process boundary (IPC results,
// helper input). Kept in step with plan-types.ts by the `satisfies` checks below.
import * as z from 'zod';
import { BtrfsLayoutSchema } from '../profile/profile-schema.ts';
import type { PartitionPlan, PlannedPartition } from './plan-types.ts';

const lba = z.number().int().nonnegative();

export const PlannedPartitionSchema = z.object({
  index: z.number().int().nonnegative(),
  role: z.enum(['esp', 'root-a', 'verity-a', 'root-b', 'verity-b', 'system', 'payload', 'data', 'raw-image', 'persistence']),
  name: z.string().min(1).max(36),
  typeGuid: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
  startLba: lba,
  sizeLba: lba,
  startBytes: lba,
  sizeBytes: lba,
  readOnly: z.boolean(),
  attributes: z.array(z.number().int().min(0).max(63)),
  filesystem: z.enum(['vfat', 'btrfs', 'ext4', 'squashfs', 'erofs', 'verity', 'raw', 'none']),
  uniqueGuid: z.string().optional(),
  contentBytes: lba.optional(),
  btrfs: BtrfsLayoutSchema.optional(),
});

export const PartitionPlanSchema = z.object({
  profileId: z.string(),
  diskBytes: lba,
  sectorSize: z.union([z.literal(512), z.literal(4096)]),
  alignmentBytes: z.number().int().positive(),
  firstUsableLba: lba,
  lastUsableLba: z.number().int(),
  neededBytes: lba,
  diskGuid: z.string().optional(),
  partitions: z.array(PlannedPartitionSchema),
  rawSteps: z
    .array(
      z.object({
        step: z.enum(['write-image', 'relocate-gpt', 'add-partition', 'mkfs']),
        description: z.string(),
        argv: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  slotRoom: z
    .object({ rootBytes: lba, verityBytes: lba, preferredBytes: lba, minimumBytes: lba, grownBytes: lba, cacheRoomBytes: lba.optional() })
    .optional(),
});

// compile-time: the schema's output is assignable to the hand-written types and back
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _partitionTypesAgree: Same<z.output<typeof PlannedPartitionSchema>, PlannedPartition> = true;
const _planTypesAgree: Same<z.output<typeof PartitionPlanSchema>, PartitionPlan> = true;
void _partitionTypesAgree;
void _planTypesAgree;
