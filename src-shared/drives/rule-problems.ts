// Why a shared drive rule refuses a target, typed: a busy disk (busy.ts), an image file's path or what is already
// at it (image-file-target.ts), its folder (image-folder.ts). The rules hand these out beside their sentence, so
// the app's preflight, the targets step's folder check and a refused request carry the reason and its names and
// numbers, and the GUI and the CLI say it in the reader's language (src-shared/errors/rule-words.ts), not in the
// language of the process that applied the rule.
import * as z from 'zod';

export const BusyProblemSchema = z.discriminatedUnion('reason', [
  /** A loop device is backed by the target (all of it: offset and sizeLimit 0), perhaps mounted. */
  z.object({
    reason: z.literal('loop'),
    target: z.string(),
    loop: z.string(),
    offset: z.number().nonnegative(),
    sizeLimit: z.number().nonnegative(),
    mounts: z.array(z.string()),
  }),
  /** Kernel holders (device-mapper, md, swap) hold the target or one of its partitions. */
  z.object({ reason: z.literal('held'), target: z.string(), holders: z.array(z.string()).min(1) }),
]);
export type BusyProblem = z.infer<typeof BusyProblemSchema>;

export const ImagePathProblemSchema = z.discriminatedUnion('reason', [
  /** Not absolute, ends in /, or has a .. in it. */
  z.object({ reason: z.literal('not-plain'), path: z.string() }),
  /** Not named *.img or *.raw; `suggestion`: a name that is. */
  z.object({ reason: z.literal('bad-name'), path: z.string(), suggestion: z.string() }),
  /** Inside a system folder (`folder`: the one, /etc, /usr…). */
  z.object({ reason: z.literal('system-folder'), path: z.string(), folder: z.string() }),
  /** Inside a folder of keys (`folder`: .ssh or .gnupg). */
  z.object({ reason: z.literal('secret-folder'), path: z.string(), folder: z.string() }),
  /** What is at the path now is a symbolic link. */
  z.object({ reason: z.literal('symlink'), path: z.string() }),
  /** What is at the path now is a device, folder or socket. */
  z.object({ reason: z.literal('not-regular'), path: z.string() }),
  /** What is at the path now is a file that does not look like a disk image. */
  z.object({ reason: z.literal('not-an-image'), path: z.string() }),
]);
export type ImagePathProblem = z.infer<typeof ImagePathProblemSchema>;

export const ImageFolderProblemSchema = z.discriminatedUnion('reason', [
  /** The folder does not exist; `parent`: the nearest folder above it that does. */
  z.object({ reason: z.literal('missing'), folder: z.string(), parent: z.string().nullable() }),
  z.object({ reason: z.literal('not-folder'), folder: z.string() }),
  z.object({ reason: z.literal('not-writable'), folder: z.string() }),
  /** Its filesystem has less room than the least the job writes. */
  z.object({ reason: z.literal('no-room'), path: z.string(), freeBytes: z.number().nonnegative(), needBytes: z.number().nonnegative() }),
]);
export type ImageFolderProblem = z.infer<typeof ImageFolderProblemSchema>;

/** Room for this write but not for the image at its full size (it is written sparse): said, not refused. */
export const ImageFolderNoticeSchema = z.object({ freeBytes: z.number().nonnegative(), sizeBytes: z.number().nonnegative() });
export type ImageFolderNotice = z.infer<typeof ImageFolderNoticeSchema>;
