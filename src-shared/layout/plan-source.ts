// What a plan was computed for (`iios plan`'s "for …" line, the plan channel's answer), typed: the services send
// the kind of source with its path, name and numbers, and the CLI and the GUI say it in the reader's language
// (src-shared/format/plan-source-words.ts) instead of an English phrase made in the main process.
import * as z from 'zod';

export const PlanSourceSaidSchema = z.discriminatedUnion('kind', [
  /** A raw image's size given without the image (--image-size). */
  z.object({ kind: z.literal('image-bytes'), bytes: z.number().nonnegative() }),
  z.object({ kind: z.literal('image'), path: z.string(), bytes: z.number().nonnegative() }),
  z.object({ kind: z.literal('bundle'), dir: z.string(), name: z.string(), version: z.string() }),
  /** A root image size given without a bundle (--rootfs-size). */
  z.object({ kind: z.literal('nominal'), bytes: z.number().nonnegative() }),
  /** The demo bundle, taken when nothing else was named. */
  z.object({ kind: z.literal('demo'), dir: z.string(), name: z.string(), version: z.string() }),
]);
export type PlanSourceSaid = z.infer<typeof PlanSourceSaidSchema>;
