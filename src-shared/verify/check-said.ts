// What a verify check found, typed: which check it was (`id`) and what it found (`said`, with its numbers, paths
// and hashes as fields), so that the GUI and the CLI say it in the reader's language (check-words.ts). The
// English `name` and `detail` of a check stay beside it, for logs, `--json` and older readers. Built by the shared
// stick checks (stick-checks.ts), the helper's payload check, and `iios verify`'s own checks; carried in the
// helper's `verify-failed` failure (src-shared/job/target-failure.ts).
import * as z from 'zod';
import { StickReadProblemSchema } from '../stick/stick-read-problem.ts';

const Slot = z.string().max(8);
const Bytes = z.number().nonnegative();
const Sha = z.string();

export const CheckIdSchema = z.discriminatedUnion('check', [
  /** An A/B slot's bytes, sha256 over the image length. */
  z.object({ check: z.literal('slot-sha256'), slot: Slot }),
  /** `veritysetup verify` of a slot against its hash partition and root hash. */
  z.object({ check: z.literal('slot-verity'), slot: Slot }),
  z.object({ check: z.literal('esp-files') }),
  z.object({ check: z.literal('caches') }),
  z.object({ check: z.literal('payload') }),
  /** `iios verify`'s own: the stamp, the GPT, a filesystem check, a raw stick against its image. */
  z.object({ check: z.literal('stamp') }),
  z.object({ check: z.literal('gpt') }),
  z.object({ check: z.literal('btrfs'), partition: z.string() }),
  z.object({ check: z.literal('ext4'), partition: z.string() }),
  z.object({ check: z.literal('image-sha256') }),
]);
export type CheckId = z.infer<typeof CheckIdSchema>;

const FileBack = z.object({ sha256: Sha, sizeBytes: Bytes });

/** One file of a cache that differs from what the writer described. */
export const CacheFileDiffSchema = z.discriminatedUnion('how', [
  z.object({ how: z.literal('missing'), path: z.string() }),
  /** On the stick but not written by the writer. */
  z.object({ how: z.literal('extra'), path: z.string() }),
  /** A symbolic link where a file was meant, or the other way round, or another target (null: a file). */
  z.object({ how: z.literal('link'), path: z.string(), got: z.string().nullable(), want: z.string().nullable() }),
  z.object({ how: z.literal('content'), path: z.string(), got: FileBack, want: FileBack }),
]);
export type CacheFileDiff = z.infer<typeof CacheFileDiffSchema>;

/** One cache that does not read back as written. */
export const CacheProblemSchema = z.discriminatedUnion('problem', [
  z.object({ problem: z.literal('missing'), kind: z.string() }),
  /** From a cache set, @caches/<kind> must be a subvolume of its own. */
  z.object({ problem: z.literal('not-subvolume'), kind: z.string() }),
  z.object({
    problem: z.literal('differs'),
    kind: z.string(),
    got: z.object({ files: Bytes, sizeBytes: Bytes, sha256: Sha }),
    want: z.object({ files: Bytes, sizeBytes: Bytes, sha256: Sha }),
    files: z.array(CacheFileDiffSchema),
  }),
]);
export type CacheProblem = z.infer<typeof CacheProblemSchema>;

/** A file (ESP, payload) that is missing (got null) or reads back with another sha256 (and size, when known). */
const FileProblem = z.object({ path: z.string(), got: z.object({ sha256: Sha, sizeBytes: Bytes.optional() }).nullable(), want: z.object({ sha256: Sha, sizeBytes: Bytes.optional() }) });
export type FileProblem = z.infer<typeof FileProblem>;

/** What in a raw image's own partition table was changed on the stick. */
export const TableProblemSchema = z.discriminatedUnion('what', [
  z.object({ what: z.literal('no-table') }),
  z.object({ what: z.literal('boot-code') }),
  z.object({ what: z.literal('mbr-signature') }),
  z.object({ what: z.literal('mbr-entry'), index: z.number().int().positive() }),
  z.object({ what: z.literal('gpt-entry'), index: z.number().int().positive() }),
]);
export type TableProblem = z.infer<typeof TableProblemSchema>;

const ImageShas = { stickSha256: Sha, imageSha256: Sha };

export const CheckSaidSchema = z.discriminatedUnion('key', [
  z.object({ key: z.literal('slot-match'), bytes: Bytes }),
  /** `byte`: the first differing byte of the slot, when the source was at hand to compare. */
  z.object({ key: z.literal('slot-differs'), slot: Slot, got: Sha, want: Sha, byte: Bytes.nullable(), diskByte: Bytes.nullable() }),
  z.object({ key: z.literal('slot-too-big'), slot: Slot, bytes: Bytes, partBytes: Bytes }),
  /** The root hash's first 12 hex digits. */
  z.object({ key: z.literal('verity-ok'), rootHash: z.string() }),
  /** `why`: veritysetup's own output (or its exit code), as the tool said it. */
  z.object({ key: z.literal('verity-fails'), slot: Slot, rootHash: z.string(), why: z.string() }),
  z.object({ key: z.literal('esp-match'), files: Bytes }),
  z.object({ key: z.literal('esp-differs'), problems: z.array(FileProblem).min(1) }),
  z.object({ key: z.literal('caches-match'), kinds: z.array(z.string()) }),
  z.object({ key: z.literal('caches-differ'), problems: z.array(CacheProblemSchema).min(1) }),
  /** The stick has no iios-data or iios-system partition to hold @caches. */
  z.object({ key: z.literal('no-cache-partition') }),
  z.object({ key: z.literal('payload-match'), files: Bytes }),
  z.object({ key: z.literal('payload-differs'), problems: z.array(FileProblem).min(1) }),
  z.object({ key: z.literal('no-payload') }),
  z.object({ key: z.literal('no-payload-partition') }),
  z.object({ key: z.literal('stamp-complete'), profile: z.string().nullable(), hostname: z.string().nullable() }),
  z.object({ key: z.literal('stamp-incomplete') }),
  /** No stamp on an ESP that is there; `why`: what the reader met, in its own (English) words. */
  /** `why`: the reader's English; `problem`: the same typed, when the reader knew it (said instead of `why`). */
  z.object({ key: z.literal('stamp-unreadable'), why: z.string(), problem: StickReadProblemSchema.optional() }),
  /** No IIOS-ESP at all: a raw image, to verify against its image. */
  z.object({ key: z.literal('no-stamp-raw'), path: z.string() }),
  z.object({ key: z.literal('gpt-ok') }),
  /** `output`: sgdisk -v's first lines, as the tool said them. */
  z.object({ key: z.literal('gpt-problems'), output: z.string() }),
  z.object({ key: z.literal('fs-clean'), tool: z.enum(['btrfs', 'e2fsck']) }),
  z.object({ key: z.literal('fs-problems'), tool: z.enum(['btrfs', 'e2fsck']), output: z.string() }),
  z.object({ key: z.literal('image-match'), bytes: Bytes, sha256: Sha }),
  /** The image matches except its partition table, which iios extended with `partition`. */
  z.object({ key: z.literal('image-match-extended'), bytes: Bytes, sha256: Sha, partition: z.string(), differing: Bytes, regionBytes: Bytes }),
  z.object({ key: z.literal('image-short'), endsAt: Bytes, bytes: Bytes }),
  /** Differs past the table: `differing` bytes from `first` on (`inTable` more in the table). */
  z.object({ key: z.literal('image-differs'), differing: Bytes, first: Bytes, inTable: Bytes, ...ImageShas }),
  /** Differs in the table of an image iios did not extend. */
  z.object({ key: z.literal('image-table-differs'), differing: Bytes, first: Bytes, ...ImageShas }),
  z.object({ key: z.literal('image-table-changed'), problems: z.array(TableProblemSchema).min(1), ...ImageShas }),
  /** A read that failed: its error as it was thrown (a tool's or the system's words). */
  z.object({ key: z.literal('error'), text: z.string() }),
]);
export type CheckSaid = z.infer<typeof CheckSaidSchema>;

/** A check's outcome in its typed form: what the helper sends of a failed one, what the CLI says. */
export const CheckResultSchema = z.object({ id: CheckIdSchema, ok: z.boolean(), said: CheckSaidSchema });
export type CheckResult = z.infer<typeof CheckResultSchema>;
