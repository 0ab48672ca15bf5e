// Domain "cachesets": the cache sets of this computer (~/.config/iios/cache-sets/) with each kind's size and last
// build, building one with pushed progress, and opening one from a file. The GUI's cache step reads these.
import * as z from 'zod';
import { CacheBuildStep } from '../../caches/build-step.ts';
import { CACHE_KINDS } from '../../caches/cache-set.ts';
import { event, invoke, noArgs } from '../define.ts';

export const CacheSetKindState = z.object({
  kind: z.enum(CACHE_KINDS),
  /** null: never built (or its last build did not finish) */
  sizeBytes: z.number().int().nonnegative().nullable(),
  /** regular files of the built kind (null: never built): the fit rule counts each one's Btrfs overhead */
  files: z.number().int().nonnegative().nullable(),
  builtAt: z.string().nullable(),
});
export const CacheSetSummary = z.object({
  id: z.string(),
  title: z.string(),
  file: z.string(),
  kinds: z.array(CacheSetKindState),
  /** bytes of the built kinds (what the set takes on a stick's data partition) */
  builtBytes: z.number().int().nonnegative(),
  /** regular files of the built kinds */
  builtFiles: z.number().int().nonnegative(),
  /** every kind built */
  complete: z.boolean(),
});
export type CacheSetSummary = z.infer<typeof CacheSetSummary>;

export const CacheSetBuildResult = z.array(
  z.object({ kind: z.enum(CACHE_KINDS), items: z.number().int(), newItems: z.array(z.string()), sizeBytes: z.number().int(), seconds: z.number() }),
);

export const cacheSetsInvoke = {
  'cachesets.list': invoke(noArgs, z.array(CacheSetSummary)),
  /** a set's file (one the user opens), or the id of one in the cache-sets folder */
  'cachesets.open': invoke(z.strictObject({ set: z.string().min(1) }), CacheSetSummary),
  'cachesets.build': invoke(z.strictObject({ set: z.string().min(1) }), CacheSetBuildResult),
};

/** step: what the build is doing, as data; the GUI words it from its catalogue (caches/build-step.ts) */
export const CacheSetProgress = z.object({ set: z.string(), kind: z.enum(CACHE_KINDS), fraction: z.number(), step: CacheBuildStep });

export const cacheSetsEvents = {
  'cachesets.progressed': event(CacheSetProgress),
};
