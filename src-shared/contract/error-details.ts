// The typed data of an error, as it crosses a process boundary inside the error envelope. A thrown error that
// has a `details` property of one of these kinds keeps it across IPC, the bridge and JSON, so the other side reads
// numbers and paths, not a message parsed back with a regex. One kind per typed error the services throw.
import { DemoBuildStopSchema } from '../demo/demo-build-line.ts';
import * as z from 'zod';
import { formatPath } from '../profile/field-path.ts';
import { IssueSaidSchema, issueSaid } from './field-issue.ts';
import type { SafetyCode } from '../drives/safety.ts';
import { TargetFailureSchema } from '../job/target-failure.ts';
import { ImageFolderProblemSchema, ImagePathProblemSchema } from '../drives/rule-problems.ts';
import { PlanProblemSchema } from '../layout/plan-problem.ts';

/** One field that failed validation: "targets[0].path" and why. */
const ElevationReason = z.enum(['no-tool', 'no-authority', 'no-agent', 'dismissed', 'not-authorized', 'needs-password', 'helper-failed']);
/** One route's failure: why, the tool, and its own last words. */
const ElevationPart = z.object({ reason: ElevationReason, tool: z.enum(['pkexec', 'sudo']).optional(), said: z.string().optional() });

export const FieldIssueSchema = z.object({ path: z.string(), message: z.string(), said: IssueSaidSchema.optional() });

const SAFETY_CODES = ['not-found', 'not-whole-disk', 'system', 'source', 'read-only', 'too-small', 'mounted', 'bad-path'] as const;
// The drive rules' codes (src-shared/drives/safety.ts) are the reasons a target is refused: the two lists stay one.
type Reason = (typeof SAFETY_CODES)[number];
const sameCodes: [Exclude<SafetyCode, Reason>, Exclude<Reason, SafetyCode>] extends [never, never] ? true : false = true;
void sameCodes;

export const ErrorDetailsSchema = z.discriminatedUnion('kind', [
  /** TooSmallError: the target cannot hold the profile with this content. */
  z.object({
    kind: z.literal('too-small'),
    profileId: z.string(),
    targetBytes: z.number().int().nonnegative(),
    neededBytes: z.number().int().nonnegative(),
    /** The target's path, when the error is about one target of a job. */
    target: z.string().optional(),
  }),
  /** PlanInputError: `iios plan` or plan.compute was not told what to plan for (`path`, `compression`: an image whose size is unknown). */
  z.object({ kind: z.literal('plan-input'), reason: z.enum(['raw-needs-image', 'size-unknown', 'no-bundle']), path: z.string().optional(), compression: z.string().optional() }),
  /** PlanError: a plan that cannot be made for another reason than size (`target`: the target's path, when one). */
  z.object({ kind: z.literal('plan'), problem: PlanProblemSchema, target: z.string().optional() }),
  /**
   * A target refused by the drive rules or the image-file rules (system disk, bad path, not a block device…);
   * an image-file rule's own reason beside it, typed, when one refused it (its words say more than the kind's).
   */
  z.object({
    kind: z.literal('unsafe-target'),
    target: z.string(),
    reason: z.enum(SAFETY_CODES),
    pathProblem: ImagePathProblemSchema.optional(),
    folderProblem: ImageFolderProblemSchema.optional(),
  }),
  /** Arguments, a request or a file (profile YAML, bundle manifest) that failed its schema, field by field. */
  z.object({ kind: z.literal('invalid'), issues: z.array(FieldIssueSchema), file: z.string().optional() }),
  /** BundleError: a bundle folder that cannot be used (missing file, wrong size or sha256 …). */
  z.object({
    kind: z.literal('bundle'),
    problem: z.enum(['no-manifest', 'manifest', 'missing-file', 'wrong-size', 'wrong-hash']),
    file: z.string().optional(),
    expected: z.string().optional(),
    actual: z.string().optional(),
    /** A manifest.json that failed its schema: each field's problem, typed (problem 'manifest'). */
    issues: z.array(FieldIssueSchema).optional(),
  }),
  /** JobBusyError: another job runs; its id. */
  z.object({ kind: z.literal('busy'), jobId: z.string() }),
  /** The helper could not be started (spawn or socket failure) before the job began. */
  z.object({ kind: z.literal('helper-failed'), stage: z.enum(['socket', 'launch']) }),
  /** Elevation to root failed, and why (src-main/services/elevation/elevation-failure.ts words it). */
  z.object({
    kind: z.literal('elevation'),
    reason: ElevationReason,
    /** The way iios tried (for no-tool: the one that is missing). */
    tool: z.enum(['pkexec', 'sudo']).optional(),
    /** The tool's own last words (pkexec's or sudo's, untranslated: quoted as they were said). */
    said: z.string().optional(),
    /** When polkit could not prompt and a terminal's sudo was tried too: why each failed (both are said). */
    both: z.object({ polkit: ElevationPart, sudo: ElevationPart }).optional(),
  }),
  /** The user or the caller stopped it. */
  z.object({ kind: z.literal('cancelled') }),
  /** A job whose every target was refused before anything was written: each one's typed failure. */
  z.object({ kind: z.literal('job-refused'), failures: z.array(TargetFailureSchema) }),
  /**
   * A job that ended without its result: the helper's connection closed, it never connected, it ended without a
   * result, or it stopped on an error of its own (`text`: the helper's English words, said inside a frame).
   */
  z.object({ kind: z.literal('job-ended'), why: z.enum(['connection-closed', 'no-connect', 'no-result', 'helper-error']), text: z.string().optional() }),
  /**
   * The demo OS could not be built (services/sources/demo-bundle.ts): the script stopped (`stop`, its typed reason,
   * when it gave one; `exitCode`; `output`, the tools' last lines, theirs and untranslated), was cancelled, or
   * printed no bundle folder.
   */
  z.object({
    kind: z.literal('demo-build'),
    why: z.enum(['stopped', 'cancelled', 'no-dir']),
    stop: DemoBuildStopSchema.optional(),
    exitCode: z.number().optional(),
    output: z.string().optional(),
  }),
]);
export type ErrorDetails = z.infer<typeof ErrorDetailsSchema>;
export type ErrorDetailsOf<K extends ErrorDetails['kind']> = Extract<ErrorDetails, { kind: K }>;
export type FieldIssue = z.infer<typeof FieldIssueSchema>;

/** A zod error as field issues, the same on every side (the CLI's flags and the GUI's request meet here). */
export function zodFieldIssues(error: z.ZodError): FieldIssue[] {
  // an unknown key is named on its own path, as the profile's issues name it (schema-errors.ts)
  return error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: formatPath([...i.path, k]), message: i.message, said: issueSaid(i) }))
      : [{ path: formatPath(i.path), message: i.message, said: issueSaid(i) }],
  );
}

/** The details an error carries, when it carries valid ones (anything else crosses as message and code only). */
export function detailsOf(err: unknown): ErrorDetails | undefined {
  if (err instanceof z.ZodError) return { kind: 'invalid', issues: zodFieldIssues(err) };
  if (typeof err !== 'object' || err === null || !('details' in err)) return undefined;
  const parsed = ErrorDetailsSchema.safeParse((err as { details: unknown }).details);
  return parsed.success ? parsed.data : undefined;
}
