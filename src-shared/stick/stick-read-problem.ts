// Why reading a stick back found no layout or no stamp, typed: the stick reader (src-main/services/stick/
// stick-reader.ts) sets it beside its English layoutError/stampError (kept for --json and the logs), and
// `iios inspect`, `iios demo`, `iios caches update` and `iios verify`'s stamp check say it in the reader's
// language (src-shared/errors/stick-read-words.ts).
import * as z from 'zod';
import { IssueSaidSchema } from '../contract/field-issue.ts';

export const StickReadProblemSchema = z.discriminatedUnion('reason', [
  /** sfdisk found no partition table (a blank disk, or not a disk image). */
  z.object({ reason: z.literal('no-table') }),
  /** A partition table without the IIOS-ESP partition: not a stick iios wrote. */
  z.object({ reason: z.literal('no-esp') }),
  /** The ESP holds no stamp file. */
  z.object({ reason: z.literal('no-stamp'), file: z.string() }),
  /** The stamp file is not JSON. */
  z.object({ reason: z.literal('stamp-not-json'), file: z.string() }),
  /** The stamp is JSON but not a stamp: its first field that fails, typed (a field issue, as error details carry it). */
  z.object({ reason: z.literal('stamp-invalid'), file: z.string(), issue: z.object({ path: z.string(), message: z.string(), said: IssueSaidSchema.optional() }) }),
]);
export type StickReadProblem = z.infer<typeof StickReadProblemSchema>;
