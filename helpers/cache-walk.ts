// One cache directory walked into the entries of its manifest (src-shared/profile/cache-manifest.ts): regular files
// hashed, symbolic links recorded by their target text (never followed). The writer (steps/caches.ts) and the
// helper's verify (steps/verify-caches.ts) walk the same way, so what one records the other rebuilds.
import { createHash } from 'node:crypto';
import { lstat, readdir, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { CacheFileEntry } from '../src-shared/profile/cache-manifest.ts';
import { sha256OfFile } from './source.ts';

export interface CacheWalkHooks {
  /** Called for each folder before it is listed (the writer checks the starting user may list it). */
  folder?(path: string, st: Stats): void;
  /** Called for each regular file before it is read. */
  file?(path: string, st: Stats): void;
  signal?: AbortSignal;
  onBytes?(n: number): void;
  /** The sha256 a regular file's entry records (`rel`: its manifest path); default: the file's own, read whole. */
  sha256?(path: string, rel: string, st: Stats, signal?: AbortSignal): Promise<string>;
}

export async function cacheEntriesOf(dir: string, hooks: CacheWalkHooks = {}): Promise<CacheFileEntry[]> {
  const entries: CacheFileEntry[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const e of await readdir(folder, { withFileTypes: true })) {
      const p = join(folder, e.name);
      const path = relative(dir, p).split(sep).join('/');
      if (e.isDirectory()) {
        hooks.folder?.(p, await lstat(p));
        await walk(p);
      } else if (e.isFile()) {
        const st = await lstat(p);
        hooks.file?.(p, st);
        const sha256 = hooks.sha256 ? await hooks.sha256(p, path, st, hooks.signal) : await sha256OfFile(p, hooks.signal);
        entries.push({ path, sizeBytes: st.size, sha256 });
        hooks.onBytes?.(st.size);
      } else if (e.isSymbolicLink()) {
        const linkTarget = await readlink(p);
        entries.push({ path, sizeBytes: 0, sha256: createHash('sha256').update(linkTarget).digest('hex'), linkTarget });
      }
    }
  };
  await walk(dir);
  return entries;
}
