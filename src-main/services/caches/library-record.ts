// What the library remembers of each built kind, beside its folder (never inside it: the folder is what goes
// onto the stick byte for byte): `<set>/<kind>.manifest`, the manifest text (src-shared cache-manifest), and
// `<set>/<kind>.build.json`, the build's record whose manifestSha256 the stick's stamp repeats. The record is
// removed when a build starts and written when it ends, so a half-built kind never looks built.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { CACHE_KINDS, type CacheKind } from '../../../src-shared/caches/cache-set.ts';

export const KindBuildRecord = z.object({
  format: z.literal(1),
  setId: z.string(),
  kind: z.enum(CACHE_KINDS),
  builtAt: z.string(),
  manifestSha256: z.string().regex(/^[0-9a-f]{64}$/),
  files: z.number().int().nonnegative(),
  sizeBytes: z.number().int().nonnegative(),
  items: z.array(z.string()),
  newItems: z.array(z.string()),
});
export type KindBuildRecord = z.infer<typeof KindBuildRecord>;

export const kindDir = (library: string, setId: string, kind: CacheKind) => join(library, setId, kind);
const recordPath = (library: string, setId: string, kind: CacheKind) => join(library, setId, `${kind}.build.json`);
const manifestPath = (library: string, setId: string, kind: CacheKind) => join(library, setId, `${kind}.manifest`);

export async function readKindRecord(library: string, setId: string, kind: CacheKind): Promise<KindBuildRecord | null> {
  const text = await readFile(recordPath(library, setId, kind), 'utf8').catch(() => null);
  if (text === null) return null;
  const parsed = KindBuildRecord.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : null;
}

export async function forgetKindRecord(library: string, setId: string, kind: CacheKind): Promise<void> {
  await rm(recordPath(library, setId, kind), { force: true });
}

export async function writeKindRecord(library: string, record: KindBuildRecord, manifestText: string): Promise<void> {
  await writeFile(manifestPath(library, record.setId, record.kind), manifestText);
  await writeFile(recordPath(library, record.setId, record.kind), JSON.stringify(record, null, 2) + '\n');
}
