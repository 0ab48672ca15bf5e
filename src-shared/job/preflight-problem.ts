// Why the app refused a write target before asking for a password (src-main/services/jobs/preflight.ts), typed:
// the target's failure carries these, and the GUI and the CLI say them in the reader's language
// (src-shared/errors/preflight-words.ts), not in the main process's. A problem a shared rule words itself (a busy
// disk, an image-file path) travels as its text.
import * as z from 'zod';

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
  /** Worded by a shared rule (busy.ts, image-file-target.ts, image-folder.ts), or a plan that failed otherwise. */
  z.object({ kind: z.literal('text'), text: z.string() }),
]);
export type PreflightProblem = z.infer<typeof PreflightProblemSchema>;
