// Domain "sticks": a written stick (or an image file saved from one) read back as a clone's source: whether
// iios made it and what it holds (name, profile, stamp), or how much of a foreign disk a raw clone copies.
import { z } from 'zod';
import { invoke } from '../define.ts';

export const StickPartView = z.object({
  index: z.number().int(),
  name: z.string(),
  startBytes: z.number().int().nonnegative(),
  sizeBytes: z.number().int().nonnegative(),
});

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
  /** One sentence on what a clone of it makes (or why it cannot be cloned as an iios stick). */
  note: z.string(),
});
export type StickSource = z.infer<typeof StickSourceSchema>;

export const sticksInvoke = {
  /** Reads a stick or image file as a clone's source, read-only (never mounted, never written). */
  'sticks.inspect': invoke(z.strictObject({ path: z.string().startsWith('/') }), StickSourceSchema),
};

export const sticksEvents = {};
