// Finding a cache set the user names: a YAML file's path, or the id of a set kept in ~/.config/iios/cache-sets/
// (a file `<id>.yaml`, or any set file there whose `id` is that).
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CacheSetError, parseCacheSet, type CacheSet } from '../../../src-shared/caches/cache-set.ts';
import type { ErrorDetailsOf } from '../../../src-shared/contract/error-details.ts';
import { fileIssue, unreadableIssue } from '../../../src-shared/profile/schema-errors.ts';
import { cacheSetsDir } from './library-paths.ts';

export interface LoadedCacheSet {
  set: CacheSet;
  file: string;
  /** relative paths in the set are relative to its folder */
  baseDir: string;
}

/** A name that is neither a cache-set file nor the id of a kept set: said typed (the message stays as it was). */
export class UnknownCacheSetError extends Error {
  override name = 'UnknownCacheSetError';
  readonly details: ErrorDetailsOf<'invalid'>;
  constructor(name: string, dir: string, ids: string[]) {
    super(`no cache set ${name}: give the path of a cache-set YAML file, or the id of a set in ${dir}${ids.length ? ` (there: ${ids.join(', ')})` : ' (none there yet)'}`);
    const vars = { dir, ...(ids.length ? { ids: ids.join(', ') } : {}) };
    this.details = { kind: 'invalid', file: name, issues: [fileIssue('', this.message, 'unknown-cache-set', vars)] };
  }
}

async function load(file: string): Promise<LoadedCacheSet> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new CacheSetError(file, [unreadableIssue(err)]);
  });
  const set = parseCacheSet(text, file);
  return { set, file, baseDir: dirname(file) };
}

/** Every set file in the user's cache-sets folder that parses (the others are skipped: listing never fails). */
export async function listCacheSets(dir = cacheSetsDir()): Promise<LoadedCacheSet[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /\.ya?ml$/.test(n)).sort();
  const out: LoadedCacheSet[] = [];
  for (const n of names) {
    const loaded = await load(join(dir, n)).catch(() => null);
    if (loaded) out.push(loaded);
  }
  return out;
}

export async function loadCacheSet(nameOrPath: string, cwd = process.cwd(), dir = cacheSetsDir()): Promise<LoadedCacheSet> {
  const asPath = resolve(cwd, nameOrPath);
  if ((await stat(asPath).catch(() => null))?.isFile()) return load(asPath);
  for (const ext of ['.yaml', '.yml']) {
    const f = join(dir, nameOrPath + ext);
    if ((await stat(f).catch(() => null))?.isFile()) return load(f);
  }
  const known = await listCacheSets(dir);
  const byId = known.find((k) => k.set.id === nameOrPath);
  if (byId) return byId;
  throw new UnknownCacheSetError(nameOrPath, dir, known.map((k) => k.set.id));
}
