// The WriteJob: the only input the privileged helper accepts (design.md, "Jobs"). The app builds it; the
// helper re-validates it with this same schema because the app is not trusted.
import * as z from 'zod';
import { BundleManifestSchema, type BundleManifest } from '../profile/bundle-manifest.ts';
import { ImageProfileSchema, type ImageProfile } from '../profile/profile-schema.ts';
import { LOCALES } from '../i18n/locale.ts';
import { ruleParams } from '../contract/field-issue.ts';

/**
 * The loaded profile (src-shared/profile), re-validated with the profile schema itself: the helper derives the layout
 * with the shared planLayout and reads the Btrfs subvolumes from it.
 */
export const JobProfile = ImageProfileSchema;
export type JobProfile = ImageProfile;

/** The bundle manifest as loaded (design.md, "Image bundles"); the helper re-checks every listed file's sha256 itself. */
export const JobBundleManifest = BundleManifestSchema;
export type JobBundleManifest = BundleManifest;

/** Target ids and hostnames end up in file names and on the kernel command line: keep them plain. */
const plainId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
const hostname = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'hostname: lowercase letters, digits and dashes');

export const WriteTarget = z.object({
  id: plainId,
  kind: z.enum(['device', 'image-file']),
  /** Whole block device (/dev/sdX, /dev/loopN) or the image file to create. */
  path: z.string().startsWith('/'),
  /** Image files: the size to create. Devices: the size the app saw (the helper re-reads the real one). */
  sizeBytes: z.number().int().positive(),
  hostname,
});
export type WriteTarget = z.infer<typeof WriteTarget>;

export const PayloadFile = z.object({
  sourcePath: z.string().startsWith('/'),
  /** File name on the payload partition: one plain name, no directories. */
  name: z.string().regex(/^[^/\0]+$/).refine((n) => n !== '.' && n !== '..', { message: 'payload name', ...ruleParams('payload-name') }),
});
export type PayloadFile = z.infer<typeof PayloadFile>;

/** An offline cache directory on this computer, copied into @caches/<kind> on the stick. */
export const CacheRef = z.object({
  kind: z.string().refine((k) => /^[a-z0-9][a-z0-9._-]{0,63}$/.test(k), { message: 'cache kind: lowercase letters, digits, . _ -', ...ruleParams('cache-kind') }),
  path: z.string().startsWith('/'),
  /** A kind built from a cache set: the set's id, when it was built, and the manifest sha256 its build recorded
   * (the helper refuses a library folder that no longer matches it: changed or half-rebuilt since). */
  set: z.string().min(1).optional(),
  builtAt: z.string().min(1).optional(),
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type CacheRef = z.infer<typeof CacheRef>;

export const WriteJob = z
  .object({
    jobId: plainId,
    profile: JobProfile,
    /** An iios bundle directory (A/B and writable profiles) … */
    bundleDir: z.string().startsWith('/').optional(),
    /** … or a plain disk image (raw profile; .img, .iso, optionally .xz/.gz/.zst/.bz2). */
    imagePath: z.string().startsWith('/').optional(),
    /** The bundle manifest as loaded (required with bundleDir). */
    manifest: JobBundleManifest.nullable().optional(),
    targets: z.array(WriteTarget).min(1).max(64),
    payload: z.array(PayloadFile).default([]),
    caches: z.array(CacheRef).default([]),
    unmountIfMounted: z.boolean().default(false),
    verify: z.boolean().default(true),
    /** Before writing, check each stick for fake capacity (helpers/steps/capacity-check.ts); image files are skipped. */
    capacityCheck: z.boolean().default(false),
    /** The language the app speaks: the helper words what it says to the user (a fake stick's verdict) in it. */
    locale: z.enum(LOCALES).optional(),
    /** Raw profile: add the persistence partition after the image (default: the profile's persistence.enabled). */
    persistence: z.boolean().optional(),
    sectorSize: z.union([z.literal(512), z.literal(4096)]).optional(),
  })
  .superRefine((job, ctx) => {
    if (!!job.bundleDir === !!job.imagePath) {
      ctx.addIssue({ code: 'custom', path: ['bundleDir'], message: 'exactly one of bundleDir or imagePath', ...ruleParams('one-source') });
    }
    if (job.profile.mode === 'raw' ? !job.imagePath : !job.bundleDir) {
      const rule = job.profile.mode === 'raw' ? 'profile-needs-image' : 'profile-needs-bundle';
      ctx.addIssue({ code: 'custom', path: ['profile'], message: `profile ${job.profile.id} needs ${job.profile.mode === 'raw' ? 'imagePath' : 'bundleDir'}`, ...ruleParams(rule, { profile: job.profile.id }) });
    }
    if (job.bundleDir && !job.manifest) {
      ctx.addIssue({ code: 'custom', path: ['manifest'], message: 'a bundle job carries its manifest', ...ruleParams('bundle-manifest') });
    }
    const ids = new Set<string>();
    const paths = new Set<string>();
    job.targets.forEach((t, i) => {
      if (ids.has(t.id)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'id'], message: `duplicate target id ${t.id}`, ...ruleParams('duplicate-id', { id: t.id }) });
      if (paths.has(t.path)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'path'], message: `duplicate target ${t.path}`, ...ruleParams('duplicate-target', { target: t.path }) });
      ids.add(t.id);
      paths.add(t.path);
    });
  });
export type WriteJob = z.infer<typeof WriteJob>;
export type WriteJobInput = z.input<typeof WriteJob>;
