// Why reading a stick back found no layout or no stamp, typed: the stick reader (src-main/services/stick/
// stick-reader.ts) sets it beside its English layoutError/stampError (kept for --json and the logs), and
// `iios inspect`, `iios demo` and `iios caches update` say it in the reader's language (src-shared/errors/
// stick-read-words.ts).
import type { FieldIssue } from '../contract/error-details.ts';

export type StickReadProblem =
  /** sfdisk found no partition table (a blank disk, or not a disk image). */
  | { reason: 'no-table' }
  /** A partition table without the IIOS-ESP partition: not a stick iios wrote. */
  | { reason: 'no-esp' }
  /** The ESP holds no stamp file. */
  | { reason: 'no-stamp'; file: string }
  /** The stamp file is not JSON. */
  | { reason: 'stamp-not-json'; file: string }
  /** The stamp is JSON but not a stamp: its first field that fails, typed. */
  | { reason: 'stamp-invalid'; file: string; issue: FieldIssue };
