// Why a target failed, typed: the helper sends what it knows (a key and its numbers, paths, the phase) beside its
// English sentence, so that the GUI and the CLI say the failure in the reader's language
// (src-shared/errors/failure-words.ts) while logs and older readers keep the sentence. Only what has no typed
// form (a tool's own output, a rare internal check) travels as English `text`, said inside a translated frame.
import * as z from 'zod';
import { Phase } from './phases.ts';
import { CloneRefusalSchema } from './clone-refusal.ts';
import { PreflightProblemSchema } from './preflight-problem.ts';
import { StickRefusalSchema } from './stick-refusal.ts';
import { CheckResultSchema } from '../verify/check-said.ts';

const SAFETY_REASONS = ['not-found', 'not-whole-disk', 'system', 'source', 'read-only', 'too-small', 'mounted', 'bad-path'] as const;

/** Every failure but update-kept-old, which wraps one of these as its cause. */
const FAILURES = [
  /** The stick was pulled, detached, or stopped answering (EIO, ENODEV…, a write that never finished). */
  z.object({ key: z.literal('removed'), phase: Phase }),
  /** Cancelled by the user while this phase ran: the stick is left incomplete. */
  z.object({ key: z.literal('cancelled'), phase: Phase }),
  /** Cancelled before anything was written. */
  z.object({ key: z.literal('cancelled-before') }),
  /** The capacity check found a counterfeit stick (src-shared/drives/capacity-probe.ts's verdict). */
  z.object({
    key: z.literal('fake-capacity'),
    how: z.enum(['wraps', 'lost', 'write-fails']),
    claimedBytes: z.number().nonnegative(),
    realBytes: z.number().nonnegative(),
    /** write-fails: the error code the write got (ENOSPC, EIO…). */
    error: z.string().optional(),
  }),
  /** An image-file target whose folder's filesystem is full. */
  z.object({ key: z.literal('no-space'), phase: Phase }),
  /** The read-back found a chunk that differs from what was written. */
  z.object({
    key: z.literal('read-back'),
    phase: Phase,
    byte: z.number().nonnegative(),
    chunkBytes: z.number().nonnegative(),
    /** The chunk's first differing byte of the disk, when the image was at hand to compare. */
    first: z.number().nonnegative().optional(),
  }),
  /** An image-file target read back shorter than what was written (`byte`: where it ended): changed meanwhile. */
  z.object({ key: z.literal('read-short'), phase: Phase, byte: z.number().nonnegative() }),
  /** A slot reads back with another sha256 than its image; `byte`: the first differing byte of the disk, when found. */
  z.object({ key: z.literal('slot-differs'), slot: z.string().max(8), byte: z.number().nonnegative().nullable() }),
  /** The verify checks that failed (other than a slot that reads back wrong: slot-differs), each typed. */
  z.object({ key: z.literal('verify-failed'), checks: z.array(CheckResultSchema).min(1) }),
  /** A clone's source slot read with another sha256 than its stamp records: the source is damaged. */
  z.object({ key: z.literal('source-slot-damaged'), slot: z.string().max(8) }),
  /** The source changed while it was written (its second read differs at `byte`). */
  z.object({ key: z.literal('source-changed'), byte: z.number().nonnegative() }),
  /**
   * Refused by the drive rules before anything was written, each reason with its kind; `said`: the problems a shared
   * rule typed (a path rule, a busy disk, a plan), and `typedReasons` the reasons whose every problem is among them
   * (said by them alone, not by the kind's general sentence too).
   */
  z.object({
    key: z.literal('refused'),
    target: z.string(),
    reasons: z.array(z.enum(SAFETY_REASONS)).min(1),
    said: z.array(PreflightProblemSchema).optional(),
    typedReasons: z.array(z.enum(SAFETY_REASONS)).optional(),
  }),
  /** Not written because another target of the same job was refused. */
  z.object({ key: z.literal('other-refused') }),
  /** Refused before anything was written, for a reason with no typed form: its English text. */
  z.object({ key: z.literal('refused-text'), text: z.string() }),
  /** A step failed: the phase in the reader's words, what failed as the helper said it. */
  z.object({ key: z.literal('step'), phase: Phase, text: z.string() }),
  /** The job ended (its writer stopped, its connection closed) before this target was finished. */
  z.object({ key: z.literal('unfinished') }),
  /** A repair, reset, payload or update job refused the stick before changing anything, for a typed reason. */
  z.object({ key: z.literal('stick-refused'), refusal: StickRefusalSchema }),
  /**
   * A clone job refused its source or this target before writing anything: its own typed reasons, and the drive
   * rules' reasons for `target` (none for a source that cannot be cloned).
   */
  z.object({ key: z.literal('clone-refused'), refusals: z.array(CloneRefusalSchema), target: z.string(), reasons: z.array(z.enum(SAFETY_REASONS)) }),
  /** The app refused this write target before asking for a password (preflight.ts), each problem typed. */
  z.object({ key: z.literal('preflight-refused'), problems: z.array(PreflightProblemSchema).min(1) }),
] as const;

export const TargetCauseSchema = z.discriminatedUnion('key', [...FAILURES]);
export type TargetCause = z.infer<typeof TargetCauseSchema>;

export const TargetFailureSchema = z.discriminatedUnion('key', [
  ...FAILURES,
  /**
   * An A/B update that failed (or was cancelled) before the new slot's boot entry went on: the stick still boots
   * its old system from `slot` (`version`, when its stamp names one); `cause`: what stopped the update.
   */
  z.object({ key: z.literal('update-kept-old'), slot: z.string().max(8), version: z.string().nullable(), cause: TargetCauseSchema }),
]);
export type TargetFailure = z.infer<typeof TargetFailureSchema>;
export type TargetFailureKey = TargetFailure['key'];
