// Domain "profiles": the built-in image profiles, bundles and raw images a stick is made from, and the
// exact partition plan of a profile on a target size.
import * as z from 'zod';
import { invoke, noArgs } from '../define.ts';
import { BundleManifestSchema } from '../../profile/bundle-manifest.ts';
import { ImageProfileSchema } from '../../profile/profile-schema.ts';
import { PartitionPlanSchema } from '../../layout/plan-schema.ts';
import { PlanSourceSaidSchema } from '../../layout/plan-source.ts';

export const BundleInfo = z.object({
  dir: z.string(),
  manifest: BundleManifestSchema,
  /** bytes of every listed file together */
  totalBytes: z.number().int().nonnegative(),
  /** true when every file's sha256 was checked (not only presence and size) */
  verified: z.boolean(),
});
export type BundleInfo = z.infer<typeof BundleInfo>;

/** One bundle of the library: the computer's (bundle create's folder), the demo OS, or on a plugged-in iios stick. */
export const LibraryBundleSchema = z.object({
  dir: z.string(),
  name: z.string(),
  version: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** what it was made from (dir:…, oci-archive:…, debian:…), null when the manifest does not say */
  source: z.string().nullable(),
  where: z.enum(['library', 'demo', 'stick']),
  /** a stick's partition and mount point */
  stick: z.string().nullable(),
});
export type LibraryBundle = z.infer<typeof LibraryBundleSchema>;

export const ImageInfoSchema = z.object({
  path: z.string(),
  name: z.string(),
  fileBytes: z.number().int().nonnegative(),
  compression: z.enum(['none', 'xz', 'gzip', 'zstd', 'bzip2']),
  extension: z.enum(['img', 'iso', 'raw']).nullable(),
  content: z.object({ iso9660: z.boolean(), partitionTable: z.enum(['gpt', 'mbr']).nullable() }),
  uncompressedBytes: z.number().int().nonnegative().nullable(),
  uncompressedExact: z.boolean(),
  sizeSource: z.enum(['file', 'xz-index', 'gzip-trailer', 'zstd-frame-header']).nullable(),
});

export const PlanComputeArgs = z.strictObject({
  /** built-in profile id, or an absolute path of a profile .yaml */
  profile: z.string().min(1),
  targetBytes: z.number().int().positive(),
  sectorSize: z.union([z.literal(512), z.literal(4096)]).optional(),
  bundleDir: z.string().startsWith('/').optional(),
  /** a nominal squashfs root of this size instead of a bundle */
  rootfsSizeBytes: z.number().int().positive().optional(),
  imagePath: z.string().startsWith('/').optional(),
  imageBytes: z.number().int().positive().optional(),
  persistence: z.boolean().optional(),
  /** what the caches hold: the plan keeps their room for the partition @caches lives in before A/B slots grow */
  caches: z.strictObject({ bytes: z.number().int().nonnegative(), files: z.number().int().nonnegative() }).optional(),
  seed: z.string().max(200).optional(),
});

export const profilesInvoke = {
  /** Every built-in profile, validated, in display order (classroom, appliance, kiosk, raw). */
  'profiles.list': invoke(noArgs, z.array(ImageProfileSchema)),
  /** The demo bundle when it has been built (files present, sizes right), else null. */
  'bundles.default': invoke(noArgs, BundleInfo.nullable()),
  /** The bundle library: manifests only (a chosen one is inspected with bundles.inspect). */
  'bundles.library': invoke(noArgs, z.array(LibraryBundleSchema)),
  /** A bundle directory: manifest parsed, files present with their sizes; sha256 too when verify is true. */
  'bundles.inspect': invoke(z.strictObject({ dir: z.string().startsWith('/'), verify: z.boolean().optional() }), BundleInfo),
  /** A raw disk image: compression by magic bytes, partition table / ISO 9660, uncompressed size when cheap. */
  'images.inspect': invoke(z.strictObject({ path: z.string().startsWith('/') }), ImageInfoSchema),
  /** The exact plan; a too-small target fails with code E_TOO_SMALL and the needed size in the message. */
  /** `source`: what it was computed for in English words; `sourceSaid`: the same typed, for the reader's language. */
  'plan.compute': invoke(PlanComputeArgs, z.object({ plan: PartitionPlanSchema, source: z.string(), sourceSaid: PlanSourceSaidSchema.optional() })),
};

export const profilesEvents = {};
