// What a clone, repair or reset reads of a stick's stamp (/iios/stick.json on its ESP), checked with zod: the
// stick is a source the app does not control. Fields the reader does not use pass through untouched.
import * as z from 'zod';

export const SlotStampSchema = z.object({
  bundle: z.string().min(1),
  version: z.string().min(1),
  rootHash: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  rootfsSha256: z.string().regex(/^[0-9a-f]{64}$/),
  rootfsBytes: z.number().int().positive(),
  /** A/B: active (the system in use), pending (updated, not yet blessed by a good boot), bad; absent on a fresh stick */
  state: z.enum(['active', 'pending', 'bad']).optional(),
  writtenAt: z.string().optional(),
});

export const CacheStampSchema = z.object({
  kind: z.string(),
  files: z.number().int().nonnegative(),
  sizeBytes: z.number().nonnegative(),
  manifestSha256: z.string(),
  /** from a cache set: its id and the kind's build date; such a kind is its own subvolume @caches/<kind> */
  set: z.string().optional(),
  builtAt: z.string().optional(),
});

export const StickStampSchema = z.looseObject({
  format: z.literal(1),
  complete: z.boolean(),
  hostname: z.string(),
  profile: z.string(),
  createdAt: z.string().optional(),
  diskBytes: z.number().int().positive(),
  sectorSize: z.number().int().positive(),
  slots: z.record(z.string(), SlotStampSchema),
  caches: z.array(CacheStampSchema).default([]),
  payload: z.array(z.object({ path: z.string(), sha256: z.string(), sizeBytes: z.number() })).default([]),
  espFiles: z.record(z.string(), z.string()).default({}),
  clonedFrom: z.object({ name: z.string(), stampSha256: z.string() }).optional(),
  /** A/B layouts planned for caches: the room kept for the caches partition before the slots grew (re-planning) */
  cacheRoomBytes: z.number().int().nonnegative().optional(),
  /** present only while an update writes this slot: the slot is then in no state to boot */
  update: z.object({ slot: z.string(), bundle: z.string(), version: z.string(), startedAt: z.string() }).optional(),
});
export type StickStamp = z.infer<typeof StickStampSchema>;
