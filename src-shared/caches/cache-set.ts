// Cache sets (design.md, "Cache sets"): a YAML file naming what a stick carries offline, per kind. Parsed here
// once, for the CLI, the GUI and the builders; errors name the file, the field and the reason, as profiles do.
import { parseDocument } from 'yaml';
import * as z from 'zod';
import { ruleParams } from '../contract/field-issue.ts';
import { fieldIssues, fileIssue, issueMessage, SchemaError, yamlSyntaxIssues } from '../profile/schema-errors.ts';
import { ruledText } from '../profile/ruled-text.ts';

/** Every kind a cache set can name; each becomes its own Btrfs subvolume `@caches/<kind>` on a stick. */
export const CACHE_KINDS = ['apt', 'oci', 'flatpak', 'ostree', 'rpm', 'squid', 'brew', 'files'] as const;
export type CacheKind = (typeof CACHE_KINDS)[number];

const nonEmpty = z.string().min(1);
const list = z.array(nonEmpty).min(1);

export const AptCacheSchema = z.strictObject({
  /** one-line apt sources ("deb [trusted=yes] file:/srv/debs ./"); default: the host's sources */
  sources: list.optional(),
  packages: list,
});
export const OciCacheSchema = z.strictObject({
  /** skopeo transports: docker://REF, oci-archive:FILE[:ref], oci:DIR:ref, docker-archive:FILE, containers-storage:REF */
  images: list,
});
export const FlatpakCacheSchema = z.strictObject({
  /** a remote configured on this computer, with a collection id */
  remote: nonEmpty,
  refs: list,
  /** installation holding the remote: "system" (default), "user", or a path for a private installation */
  installation: nonEmpty.optional(),
});
export const OstreeCacheSchema = z.strictObject({ repo: nonEmpty, refs: list, collectionId: nonEmpty.optional() });
export const RpmCacheSchema = z.strictObject({ repos: list, packages: list });
export const SquidCacheSchema = z.strictObject({ urls: list });
export const BrewCacheSchema = z.strictObject({ path: nonEmpty });
export const FilesCacheSchema = z.strictObject({ path: nonEmpty });

export const CacheSetSchema = z.strictObject({
  format: z.literal(1),
  id: ruledText((s) => /^[a-z0-9][a-z0-9._-]*$/.test(s), 'cache-set-id', () => 'lowercase letters, digits, ".", "_" and "-", starting with a letter or digit'),
  title: nonEmpty,
  description: z.string().optional(),
  caches: z
    .strictObject({
      apt: AptCacheSchema.optional(),
      oci: OciCacheSchema.optional(),
      flatpak: FlatpakCacheSchema.optional(),
      ostree: OstreeCacheSchema.optional(),
      rpm: RpmCacheSchema.optional(),
      squid: SquidCacheSchema.optional(),
      brew: BrewCacheSchema.optional(),
      files: FilesCacheSchema.optional(),
    })
    .refine((c) => Object.values(c).some((v) => v !== undefined), {
      error: 'names no cache: give at least one of ' + CACHE_KINDS.join(', '),
      ...ruleParams('no-cache', { kinds: CACHE_KINDS.join(', ') }),
    }),
});
export type CacheSet = z.infer<typeof CacheSetSchema>;
/** The part of a cache set that one kind's builder reads. */
export type CacheSpec<K extends CacheKind> = NonNullable<CacheSet['caches'][K]>;

export class CacheSetError extends SchemaError {
  override name = 'CacheSetError';
  readonly code = 'E_CACHE_SET';
}

/** Validates an already-parsed cache set (e.g. one carried in a job). */
export function validateCacheSet(value: unknown, file = 'cache set'): CacheSet {
  const result = CacheSetSchema.safeParse(value, { error: issueMessage });
  if (!result.success) throw new CacheSetError(file, fieldIssues(result.error));
  return result.data;
}

/** Parses cache-set YAML text; `file` names it in messages. */
export function parseCacheSet(text: string, file: string): CacheSet {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new CacheSetError(file, yamlSyntaxIssues(doc.errors));
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const fields = 'format, id, title, caches';
    throw new CacheSetError(file, [fileIssue('', `expected a YAML mapping with ${fields}`, 'yaml-mapping', { fields })]);
  }
  return validateCacheSet(value, file);
}

/** The kinds a set names, in the canonical order. */
export function cacheSetKinds(set: CacheSet): CacheKind[] {
  return CACHE_KINDS.filter((k) => set.caches[k] !== undefined);
}
