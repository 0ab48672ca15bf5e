// Why a clone job refuses its source or a target before writing anything, typed: the helper sends the reason and
// its numbers beside its English sentence, and the GUI and the CLI say it in the reader's language
// (src-shared/errors/clone-refusal-words.ts). A reason the drive rules give (mounted, system disk…) travels
// beside these as a drive-rule reason, the same as for a write.
import * as z from 'zod';
import { PlanProblemSchema } from '../layout/plan-problem.ts';

export const CloneRefusalSchema = z.discriminatedUnion('reason', [
  /** The source path names nothing. */
  z.object({ reason: z.literal('source-missing'), source: z.string() }),
  /** The source is a folder or a special file: neither a block device nor an image file. */
  z.object({ reason: z.literal('source-not-disk'), source: z.string() }),
  /** The source is mounted read-write: its content is changing. */
  z.object({ reason: z.literal('source-mounted'), source: z.string(), at: z.array(z.string()) }),
  /** The source is a zstd-compressed image, which a clone cannot read as a disk. */
  z.object({ reason: z.literal('source-zstd'), source: z.string() }),
  /** A file on the source stick's ESP fails the sha256 its stamp records. */
  z.object({ reason: z.literal('source-esp-damaged'), file: z.string() }),
  /** The source stick carries no profile (written by an older iios). */
  z.object({ reason: z.literal('source-no-profile'), hostname: z.string() }),
  /** The manifest of a slot's bundle is on neither the source's data partition nor its ESP. */
  z.object({ reason: z.literal('source-no-manifest'), slot: z.string().max(8), bundle: z.string(), version: z.string() }),
  /** A target is the clone's source itself. */
  z.object({ reason: z.literal('target-is-source'), target: z.string() }),
  /** A device target that is not a block device. */
  z.object({ reason: z.literal('target-not-block'), target: z.string() }),
  /** An image-file target whose folder does not exist. */
  z.object({ reason: z.literal('target-no-folder'), target: z.string() }),
  /** A target that is a loop device over the clone's source. */
  z.object({ reason: z.literal('target-loop-of-source'), target: z.string() }),
  /** A target too small for the clone: the size it has and the size the clone needs (`source`: the stick's name, null for a raw clone). */
  z.object({ reason: z.literal('target-too-small'), target: z.string(), sizeBytes: z.number().nonnegative(), neededBytes: z.number().nonnegative(), source: z.string().nullable() }),
  /** A target the clone cannot be laid out on for another reason than its size (plan-problem.ts). */
  z.object({ reason: z.literal('target-plan'), target: z.string(), problem: PlanProblemSchema }),
]);
export type CloneRefusal = z.infer<typeof CloneRefusalSchema>;
export type CloneRefusalReason = CloneRefusal['reason'];
