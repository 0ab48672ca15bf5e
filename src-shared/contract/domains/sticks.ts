// Domain "sticks": a written stick (or an image file saved from one) read back as a clone's source: whether
// iios made it and what it holds (name, profile, stamp), or how much of a foreign disk a raw clone copies.
import * as z from 'zod';
import { invoke } from '../define.ts';

export const StickPartView = z.object({
  index: z.number().int(),
  name: z.string(),
  startBytes: z.number().int().nonnegative(),
  sizeBytes: z.number().int().nonnegative(),
});

export const StickSlotSchema = z.object({
  slot: z.enum(['a', 'b']),
  bundle: z.string().nullable(),
  version: z.string().nullable(),
  state: z.enum(['active', 'pending', 'bad', 'incomplete', 'fallback']),
  /** bytes of the slot's root and verity partitions: the largest system an update may write there */
  rootBytes: z.number().int().nonnegative(),
  verityBytes: z.number().int().nonnegative(),
  /** bytes of the root image the slot holds now */
  rootfsBytes: z.number().int().nonnegative().nullable(),
});
export type StickSlot = z.infer<typeof StickSlotSchema>;

export const StickAbSchema = z.object({
  slots: z.array(StickSlotSchema),
  /** the slot the stick boots now (kept as the fallback) and the one an update writes */
  active: z.enum(['a', 'b']),
  inactive: z.enum(['a', 'b']),
  /** an update that did not finish: the slot it was writing and the version it was writing */
  interrupted: z.object({ slot: z.string(), version: z.string() }).nullable(),
  /** the newest good system the stick carries in @iios/bundles/: what an update from this stick writes */
  newest: z.object({ bundle: z.string(), version: z.string(), rootfsBytes: z.number().int().nonnegative() }).nullable(),
});
export type StickAb = z.infer<typeof StickAbSchema>;

export const StickSourceSchema = z.object({
  path: z.string(),
  kind: z.enum(['device', 'image-file']),
  sizeBytes: z.number().int().nonnegative(),
  /** A complete iios stick: cloned for each target's own size with the profile it carries. */
  iios: z
    .object({
      hostname: z.string(),
      profile: z.string(),
      createdAt: z.string().nullable(),
      /** The stick this one was cloned from, when it is a clone. */
      clonedFrom: z.object({ name: z.string(), stampSha256: z.string() }).nullable(),
    })
    .nullable(),
  /** Bytes a raw clone copies: up to the end of the last partition (the whole disk when it has no table). */
  usedBytes: z.number().int().nonnegative(),
  partitions: z.array(StickPartView),
  /**
   * An iios stick with A/B slots, as `iios inspect` shows it: each slot's system, version and state (the boot
   * entries' names read with the stamp), the sizes of its partitions, and what an update or `--from-stick` takes.
   */
  ab: StickAbSchema.nullable().optional(),
  /** An iios stick with a payload partition (kiosk): its payload files can be replaced. */
  payload: z.object({ sizeBytes: z.number().int().nonnegative(), files: z.array(z.object({ path: z.string(), sizeBytes: z.number() })) }).nullable().optional(),
  /** One sentence on what a clone of it makes (or why it cannot be cloned as an iios stick). */
  note: z.string(),
});
export type StickSource = z.infer<typeof StickSourceSchema>;

export const sticksInvoke = {
  /** Reads a stick or image file as a clone's source, read-only (never mounted, never written). */
  'sticks.inspect': invoke(z.strictObject({ path: z.string().startsWith('/') }), StickSourceSchema),
};

export const sticksEvents = {};
