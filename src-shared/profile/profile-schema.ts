// ImageProfile: what a stick looks like (resources/profiles/<id>.yaml): its schema and rules, without the YAML
// reader (image-profile.ts), so the helper, which gets profiles inside a WriteJob, never loads a YAML parser.
// The parsed object is plain JSON and parses again unchanged, so a WriteJob can carry and re-validate it.
import * as z from 'zod';
import { ROOTFS_KINDS } from './bundle-manifest.ts';
import { ProfileError, fieldIssues, issueMessage } from './schema-errors.ts';
import { decimalUnits, parseSizeSpec, sizeProblem } from './size-spec.ts';
import { checkProfileRules } from './profile-rules.ts';
import { ruleParams } from '../contract/field-issue.ts';
import { quoted } from '../contract/file-rules.ts';
import { ruledText } from './ruled-text.ts';

/** Partition roles a profile may declare (raw-image and persistence belong to the raw mode). */
export const PROFILE_ROLES = ['esp', 'root-a', 'verity-a', 'root-b', 'verity-b', 'system', 'payload', 'data'] as const;
export type ProfileRole = (typeof PROFILE_ROLES)[number];

export const PROFILE_MODES = ['writable', 'ab', 'raw'] as const;
export type ProfileMode = (typeof PROFILE_MODES)[number];

const sizeText = z
  .string({ error: (iss) => sizeProblem(String(iss.input)) })
  .superRefine((s, ctx) => {
    if (parseSizeSpec(s) !== null) return;
    ctx.addIssue({ code: 'custom', message: sizeProblem(s), input: s, ...ruleParams(decimalUnits(s) ? 'size-decimal' : 'size-text', { value: quoted(s) }) });
  });

/** "@", "@home", "@caches" — one level, as created with `btrfs subvolume create <mnt>/<name>`. */
const subvolumeName = ruledText(
  (s) => /^@[A-Za-z0-9._-]*$/.test(s),
  'subvolume-name',
  (s) => `${JSON.stringify(s)} is not a subvolume name (use @, @home, @caches…)`,
);

const snapshotPath = ruledText(
  (s) => /^@[A-Za-z0-9._-]*\/[A-Za-z0-9._-]+$/.test(s),
  'snapshot-path',
  (s) => `${JSON.stringify(s)} is not a snapshot path (use @snapshots/factory)`,
);

export const BtrfsLayoutSchema = z.strictObject({
  /** top-level subvolumes to create, in this order */
  subvolumes: z.array(subvolumeName).min(1),
  /** snapshots taken after the content is in place (e.g. the read-only factory snapshot of @) */
  snapshots: z
    .array(z.strictObject({ source: subvolumeName, path: snapshotPath, readOnly: z.boolean().default(true) }))
    .default([]),
});
export type BtrfsLayout = z.infer<typeof BtrfsLayoutSchema>;

export const ProfilePartitionSchema = z.strictObject({
  role: z.enum(PROFILE_ROLES),
  /** absolute ("512MiB"), relative to the content ("fit + 25%") or "grow" (last partition only) */
  size: sizeText,
  /** smallest acceptable size of a growing partition (absolute, or "fit + N%" for the system partition) */
  minSize: sizeText.optional(),
  /**
   * A/B root slots: the size the slot gets where the stick allows it (absolute, e.g. 1GiB), so that larger
   * updates fit; never less than `size`, and less than this on a stick without the room. The slot's verity
   * partition grows with it to hold the hash tree of a root image that fills it.
   */
  preferredSize: sizeText.optional(),
  /** esp: vfat; system: btrfs; data: btrfs | ext4; payload: ext4 | vfat; root/verity: from the bundle */
  filesystem: z.enum(['vfat', 'btrfs', 'ext4']).optional(),
  btrfs: BtrfsLayoutSchema.optional(),
});
export type ProfilePartition = z.infer<typeof ProfilePartitionSchema>;

export const RawOptionsSchema = z.strictObject({
  /** image file kinds the GUI offers (the writer accepts any of them, compressed or not) */
  imageTypes: z.array(z.enum(['img', 'iso', 'raw'])).default(['img', 'iso', 'raw']),
  compressions: z.array(z.enum(['xz', 'gz', 'zst', 'bz2'])).default(['xz', 'gz', 'zst', 'bz2']),
  persistence: z
    .strictObject({
      /** whether the persistence partition is added when the user does not choose */
      enabled: z.boolean().default(false),
      filesystem: z.enum(['ext4', 'btrfs']).default('ext4'),
      size: sizeText.default('grow'),
      minSize: sizeText.default('256MiB'),
      btrfs: BtrfsLayoutSchema.optional(),
    })
    .prefault({}),
});
export type RawOptions = z.infer<typeof RawOptionsSchema>;

export const ImageProfileSchema = z
  .strictObject({
    format: z.literal(1),
    id: ruledText((s) => /^[a-z][a-z0-9-]{0,31}$/.test(s), 'profile-id', (s) => `${JSON.stringify(s)} is not a profile id (lowercase letters, digits and dashes)`),
    title: z.string().min(1).max(40),
    /** one line, shown by the GUI next to the title */
    description: z
      .string()
      .min(1)
      .max(200)
      .refine((s) => !/[\r\n]/.test(s.trim()), { error: 'must be a single line', ...ruleParams('single-line') }),
    mode: z.enum(PROFILE_MODES),
    /** root image kinds this profile accepts from a bundle (default: all) */
    rootfsKinds: z.array(z.enum(ROOTFS_KINDS)).min(1).optional(),
    partitions: z.array(ProfilePartitionSchema).default([]),
    raw: RawOptionsSchema.optional(),
  })
  .superRefine((profile, ctx) => {
    for (const issue of checkProfileRules(profile)) {
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, input: undefined, ...ruleParams(issue.rule, issue.vars) });
    }
  });
export type ImageProfile = z.infer<typeof ImageProfileSchema>;

/** Validates an already-parsed object (e.g. a profile carried inside a WriteJob). */
export function validateImageProfile(value: unknown, file = 'profile'): ImageProfile {
  const result = ImageProfileSchema.safeParse(value, { error: issueMessage });
  if (!result.success) throw new ProfileError(file, fieldIssues(result.error));
  return result.data;
}

/** The boot slots a profile has: a/b for A/B (kiosk: a only), system for the writable profile, none for raw. */
export function profileSlots(profile: ImageProfile): ('a' | 'b' | 'system')[] {
  if (profile.mode === 'writable') return ['system'];
  if (profile.mode === 'raw') return [];
  return profile.partitions.some((p) => p.role === 'root-b') ? ['a', 'b'] : ['a'];
}
