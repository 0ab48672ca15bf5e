// Why the app refused a write target before asking for a password (src-main/services/jobs/preflight.ts), typed:
// the target's failure carries these, and the GUI and the CLI say them in the reader's language
// (src-shared/errors/preflight-words.ts), not in the main process's. A shared rule's refusal (a busy disk, an
// image file's path or folder) travels as that rule's typed problem (src-shared/drives/rule-problems.ts).
import * as z from 'zod';
import { BusyProblemSchema, ImageFolderProblemSchema, ImagePathProblemSchema } from '../drives/rule-problems.ts';
import { PlanProblemSchema } from '../layout/plan-problem.ts';

export const PreflightProblemSchema = z.discriminatedUnion('kind', [
  /** The disk is mounted and the job does not allow unmounting it. */
  z.object({ kind: z.literal('mounted'), path: z.string(), mounts: z.array(z.string()) }),
  /** Two targets of the job are the same disk (one a link to the other). */
  z.object({ kind: z.literal('same-disk'), path: z.string(), other: z.string() }),
  /** Two image-file targets of the job are the same file. */
  z.object({ kind: z.literal('same-file'), path: z.string(), other: z.string() }),
  /** The image file is the backing file of a loop device. */
  z.object({ kind: z.literal('backing-file'), path: z.string(), dev: z.string() }),
  /** A file of the bundle is a link that points outside the bundle. */
  z.object({ kind: z.literal('bundle-outside'), file: z.string() }),
  /** The image file's filesystem has less room than the job surely writes. */
  z.object({ kind: z.literal('image-room'), path: z.string(), haveBytes: z.number().nonnegative(), writeBytes: z.number().nonnegative() }),
  /** The payload files take more than the payload partition holds. */
  z.object({ kind: z.literal('payload-room'), path: z.string(), needBytes: z.number().nonnegative(), roomBytes: z.number().nonnegative() }),
  /** The target is smaller than the profile needs with this system. */
  z.object({ kind: z.literal('too-small'), path: z.string(), profile: z.string(), sizeBytes: z.number().nonnegative(), neededBytes: z.number().nonnegative() }),
  /** A loop device or a kernel holder uses the disk (busy.ts). */
  z.object({ kind: z.literal('busy'), problem: BusyProblemSchema }),
  /** The image file's path, or what is at it now (image-file-target.ts). */
  z.object({ kind: z.literal('image-path'), problem: ImagePathProblemSchema }),
  /** The image file's folder (image-folder.ts). */
  z.object({ kind: z.literal('image-folder'), problem: ImageFolderProblemSchema }),
  /** The target cannot be laid out for another reason than its size (plan-problem.ts). */
  z.object({ kind: z.literal('plan'), path: z.string(), problem: PlanProblemSchema }),
  /** A plan that failed for a reason with no typed form (no PlanError): its text. */
  z.object({ kind: z.literal('text'), text: z.string() }),
]);
export type PreflightProblem = z.infer<typeof PreflightProblemSchema>;
