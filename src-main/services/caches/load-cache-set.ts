// Finding a cache set the user names: a YAML file's path, or the id of a set kept in ~/.config/iios/cache-sets/
// (a file `<id>.yaml`, or any set file there whose `id` is that).
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseCacheSet, type CacheSet } from '../../../src-shared/caches/cache-set.ts';
import { cacheSetsDir } from './library-paths.ts';

export interface LoadedCacheSet {
  set: CacheSet;
  file: string;
  /** relative paths in the set are relative to its folder */
  baseDir: string;
}

async function load(file: string): Promise<LoadedCacheSet> {
  const set = parseCacheSet(await readFile(file, 'utf8'), file);
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
  const ids = known.map((k) => k.set.id);
  throw new Error(`no cache set ${nameOrPath}: give the path of a cache-set YAML file, or the id of a set in ${dir}${ids.length ? ` (there: ${ids.join(', ')})` : ' (none there yet)'}`);
}
