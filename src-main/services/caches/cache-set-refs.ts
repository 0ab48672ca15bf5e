// A built cache set as the caches a write job copies: one reference per kind to its library folder, with the
// set's id, the build's date and the manifest sha256 the build recorded (the helper refuses a folder that no
// longer matches it). A kind never built, or whose last build did not finish, is refused with what to run.
import { cacheSetKinds } from '../../../src-shared/caches/cache-set.ts';
import type { CacheRef } from '../../../src-shared/job/write-job.ts';
import { cacheLibraryDir } from './library-paths.ts';
import { loadCacheSet } from './load-cache-set.ts';
import { kindDir, readKindRecord } from './library-record.ts';

export async function cacheSetRefs(setArg: string, cwd = process.cwd(), library = cacheLibraryDir()): Promise<CacheRef[]> {
  const { set } = await loadCacheSet(setArg, cwd);
  const refs: CacheRef[] = [];
  const unbuilt: string[] = [];
  for (const kind of cacheSetKinds(set)) {
    const r = await readKindRecord(library, set.id, kind);
    if (!r) unbuilt.push(kind);
    else refs.push({ kind, path: kindDir(library, set.id, kind), set: set.id, builtAt: r.builtAt, manifestSha256: r.manifestSha256 });
  }
  if (unbuilt.length) throw new Error(`cache set ${set.id}: ${unbuilt.join(', ')} not built (or its last build did not finish): run iios caches build ${setArg} first`);
  return refs;
}
