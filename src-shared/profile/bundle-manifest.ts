// Bundle manifest (<bundle>/manifest.json): what a bundle holds and the sha256 of every file in it.
// Parsed from JSON text (pure, no fs); src-main/services/sources/bundles.ts checks the files themselves.
import * as z from 'zod';
import { ruleParams } from '../contract/field-issue.ts';
import { quoted } from '../contract/file-rules.ts';
import { ManifestError, fieldIssues, fileIssue, issueMessage } from './schema-errors.ts';
import { ruledText } from './ruled-text.ts';

export const ROOTFS_KINDS = ['squashfs', 'erofs', 'btrfs-seed', 'raw'] as const;
export type RootfsKind = (typeof ROOTFS_KINDS)[number];

export const BUNDLE_ARCHES = ['x86_64', 'aarch64'] as const;
export type BundleArch = (typeof BUNDLE_ARCHES)[number];

// `what` is for the English message only: the field's path says which hex it is in every language
const hex = (what: string, length?: number) =>
  z.string().superRefine((s, ctx) => {
    if (/^[0-9a-f]*$/.test(s) && s.length % 2 === 0 && (length === undefined || s.length === length)) return;
    ctx.addIssue({
      code: 'custom',
      input: s,
      message: `${JSON.stringify(s)} is not ${what} (${length === undefined ? 'lowercase hex' : `${length} lowercase hex digits`})`,
      ...ruleParams('hex', { value: quoted(s), ...(length !== undefined ? { digits: String(length) } : {}) }),
    });
  });

/** A file inside the bundle directory: relative, no "..", no backslashes. */
const bundlePath = ruledText(
  (s) => s.length > 0 && !s.startsWith('/') && !s.includes('\\') && !s.split('/').includes('..'),
  'bundle-path',
  (s) => `${JSON.stringify(s)} is not a file name inside the bundle (relative, without "..")`,
);

const positiveInt = z.number().int().positive();
const powerOfTwoBlock = z
  .number()
  .int()
  .superRefine((n, ctx) => {
    if (n >= 512 && n <= 65536 && (n & (n - 1)) === 0) return;
    ctx.addIssue({ code: 'custom', input: n, message: `${n} is not a block size (512…65536, a power of two)`, ...ruleParams('block-size', { value: String(n) }) });
  });

export const BundleFileSchema = z.strictObject({
  sha256: hex('a sha256', 64),
  sizeBytes: z.number().int().nonnegative(),
});

export const BundleManifestSchema = z
  .strictObject({
    format: z.literal(1),
    name: ruledText((s) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(s), 'bundle-name', (s) => `${JSON.stringify(s)} is not a bundle name (letters, digits, ".", "_", "-")`),
    version: z.string().min(1),
    arch: z.enum(BUNDLE_ARCHES, {
      error: (iss) => `${JSON.stringify(iss.input)} is not a supported architecture (allowed: ${BUNDLE_ARCHES.join(', ')})`,
    }),
    kernel: bundlePath,
    initrd: bundlePath,
    cmdline: z.string(),
    bootloader: bundlePath,
    rootfs: z.strictObject({
      kind: z.enum(ROOTFS_KINDS, {
        error: (iss) => `${JSON.stringify(iss.input)} is not a known rootfs kind (allowed: ${ROOTFS_KINDS.join(', ')})`,
      }),
      file: bundlePath,
      sizeBytes: positiveInt,
    }),
    verity: z
      .strictObject({
        hashFile: bundlePath,
        rootHash: hex('a root hash', 64),
        salt: hex('a salt'),
        dataBlockSize: powerOfTwoBlock,
        hashBlockSize: powerOfTwoBlock,
        hashAlgorithm: z.literal('sha256'),
        sizeBytes: positiveInt,
      })
      .nullable(),
    files: z.record(bundlePath, BundleFileSchema),
    /** how the bundle was made (kernel release, package versions, input hash): provenance, not checked */
    build: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((m, ctx) => {
    const refs: [string[], string, number | undefined][] = [
      [['kernel'], m.kernel, undefined],
      [['initrd'], m.initrd, undefined],
      [['bootloader'], m.bootloader, undefined],
      [['rootfs', 'file'], m.rootfs.file, m.rootfs.sizeBytes],
    ];
    if (m.verity) refs.push([['verity', 'hashFile'], m.verity.hashFile, m.verity.sizeBytes]);
    for (const [path, name, size] of refs) {
      const entry = m.files[name];
      if (!entry) {
        ctx.addIssue({ code: 'custom', path, message: `"${name}" is not listed in files (every file needs its sha256)`, ...ruleParams('not-listed', { name }) });
      } else if (size !== undefined && entry.sizeBytes !== size) {
        ctx.addIssue({
          code: 'custom',
          path: [...path.slice(0, -1), 'sizeBytes'],
          message: `${size} differs from files["${name}"].sizeBytes (${entry.sizeBytes})`,
          ...ruleParams('size-differs', { size: String(size), name, listed: String(entry.sizeBytes) }),
        });
      }
    }
  }, { when: (payload) => payload.issues.length === 0 }); // cross-checks only once every field is well-formed
export type BundleManifest = z.infer<typeof BundleManifestSchema>;

/** Validates an already-parsed manifest object. */
export function validateBundleManifest(value: unknown, file = 'manifest.json'): BundleManifest {
  const result = BundleManifestSchema.safeParse(value, { error: issueMessage });
  if (!result.success) throw new ManifestError(file, fieldIssues(result.error));
  return result.data;
}

/** Parses manifest.json text; `file` names the source in messages. */
export function parseBundleManifest(text: string, file = 'manifest.json'): BundleManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(file, [fileIssue('', `not valid JSON (${(err as Error).message})`, 'not-json')]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ManifestError(file, [fileIssue('', 'expected a JSON object', 'json-object')]);
  }
  return validateBundleManifest(value, file);
}
