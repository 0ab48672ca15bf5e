// Why a plan cannot be made, typed (every PlanError but TooSmallError, which has its own numbers): the planner
// throws the reason and its names and numbers beside its English sentence, so a preflight refusal or a clone's
// refused target carries it and the GUI and the CLI say it in the reader's language (src-shared/errors/plan-words.ts).
import * as z from 'zod';

export const PlanProblemSchema = z.discriminatedUnion('reason', [
  /** The ESP cannot hold the bootloader and the kernel and initrd of each slot. */
  z.object({ reason: z.literal('esp-too-small'), slots: z.number().int().nonnegative(), sizeBytes: z.number().nonnegative(), neededBytes: z.number().nonnegative() }),
  /** The profile takes other root image kinds than the bundle's. */
  z.object({ reason: z.literal('rootfs-kind'), profile: z.string(), kinds: z.array(z.string()), kind: z.string() }),
  /** An A/B profile and a bundle without a verity hash tree. */
  z.object({ reason: z.literal('no-verity'), profile: z.string() }),
  /** A fixed-size partition smaller than what is written to it. */
  z.object({ reason: z.literal('content-too-big'), partition: z.string(), sizeBytes: z.number().nonnegative(), contentBytes: z.number().nonnegative() }),
  /** A Btrfs partition below Btrfs's least size. */
  z.object({ reason: z.literal('btrfs-too-small'), partition: z.string(), sizeBytes: z.number().nonnegative(), minBytes: z.number().nonnegative() }),
  /** The raw profile and a bundle: it writes a disk image. */
  z.object({ reason: z.literal('needs-image'), profile: z.string() }),
  /** A bundle profile and a disk image: a disk image goes with the raw profile. */
  z.object({ reason: z.literal('needs-bundle'), profile: z.string() }),
  /** A size the profile gives that cannot be laid out (not a size, zero, relative with nothing to fit). */
  z.object({ reason: z.literal('profile-size'), field: z.string(), text: z.string() }),
  /** A value the caller gave that no plan takes (a sector size, a target or image size, a GUID). */
  z.object({ reason: z.literal('bad-value'), what: z.enum(['sector-size', 'target-size', 'image-size', 'guid']), value: z.string() }),
  /** A clone: the stick's profile has no partition the stick's content is on. */
  z.object({ reason: z.literal('missing-partition'), profile: z.string(), partition: z.string() }),
  /** A clone: the stick's stamp records no slot (no system to lay out). */
  z.object({ reason: z.literal('no-slot') }),
]);
export type PlanProblem = z.infer<typeof PlanProblemSchema>;
