// Why a job on a stick that is already there (repair, reset, payload, update) refuses it before changing anything,
// typed: the helper sends the reason and its numbers beside its English sentence, and the GUI and the CLI say it
// in the reader's language (src-shared/errors/refusal-words.ts). A reason the drive rules give (mounted, system
// disk…) travels as the `refused` failure instead, the same as for a write.
import * as z from 'zod';

export const StickRefusalSchema = z.discriminatedUnion('reason', [
  /** No readable stamp on an IIOS-ESP, or no iios-data/iios-system partition. */
  z.object({ reason: z.literal('not-iios') }),
  /** Its stamp is missing `complete: true`: its last write did not finish. */
  z.object({ reason: z.literal('incomplete') }),
  /** A partition is not where the stick's own profile puts it. */
  z.object({ reason: z.literal('layout-differs'), partition: z.string(), profile: z.string() }),
  /** @iios/profiles/ holds no profile (a stick written by an older iios). */
  z.object({ reason: z.literal('no-profile') }),
  /** @iios/bundles/ does not hold the stick's bundle (its name, when the stamp names one). */
  z.object({ reason: z.literal('no-bundle'), bundle: z.string().nullable() }),
  /** A file of the stored bundle fails its sha256: a repair from it would install a damaged system. */
  z.object({ reason: z.literal('bundle-damaged'), file: z.string() }),
  /** Reset needs a writable system; this stick's profile has another mode. */
  z.object({ reason: z.literal('not-writable'), profile: z.string(), mode: z.string() }),
  /** Reset needs @snapshots/factory. */
  z.object({ reason: z.literal('no-factory') }),
  /** A payload job on a stick whose profile has no payload partition. */
  z.object({ reason: z.literal('no-payload-partition'), profile: z.string() }),
  /** The payload files take more than the payload partition holds. */
  z.object({ reason: z.literal('payload-too-big'), bytes: z.number().nonnegative(), roomBytes: z.number(), partBytes: z.number().nonnegative() }),
  /** An update of a stick whose profile has no A/B slots. */
  z.object({ reason: z.literal('no-ab'), profile: z.string() }),
  /** The new bundle has no verity hash tree (A/B slots need one). */
  z.object({ reason: z.literal('bundle-no-verity'), bundle: z.string(), version: z.string() }),
  /** The new bundle does not fit the inactive slot. */
  z.object({
    reason: z.literal('slot-too-small'),
    bundle: z.string(),
    version: z.string(),
    slot: z.string().max(8),
    rootBytes: z.number().nonnegative(),
    verityBytes: z.number().nonnegative(),
    slotRootBytes: z.number().nonnegative(),
    slotVerityBytes: z.number().nonnegative(),
  }),
  /** The stick named as an update's source is not a complete iios stick. */
  z.object({ reason: z.literal('source-incomplete'), source: z.string() }),
  /** The stick named as an update's source has no good slot to take a bundle from. */
  z.object({ reason: z.literal('source-no-good-slot'), source: z.string() }),
]);
export type StickRefusal = z.infer<typeof StickRefusalSchema>;
export type StickRefusalReason = StickRefusal['reason'];
