// The app's read-back of the offline caches a stick carries: @caches/<kind> (a read-only mount of the Btrfs
// partition holding it) walked and hashed into the manifest text the writer built (sorted "sha256 size path"
// lines of its regular files, src-shared cache-manifest). The comparison with the stamp is the shared one
// (src-shared/verify/stick-checks.ts), the same the helper runs at write time.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { cacheManifestSummary, cacheManifestText, type CacheFileEntry } from '../../../src-shared/profile/cache-manifest.ts';
import type { ByteRange, CacheReadBack } from '../../../src-shared/verify/stick-checks.ts';
import { withReadOnlyMount } from './stick-tools.ts';

async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Regular files hashed, symbolic links by their target text (never followed), as the writer records them. */
async function walk(dir: string, root: string, out: CacheFileEntry[], signal?: AbortSignal, onBytes?: (n: number) => void): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const path = relative(root, p).split(sep).join('/');
    if (e.isDirectory()) await walk(p, root, out, signal, onBytes);
    else if (e.isFile()) {
      const sizeBytes = (await lstat(p)).size;
      out.push({ path, sizeBytes, sha256: await sha256File(p, signal) });
      onBytes?.(sizeBytes);
    } else if (e.isSymbolicLink()) {
      const linkTarget = await readlink(p);
      out.push({ path, sizeBytes: 0, sha256: createHash('sha256').update(linkTarget).digest('hex'), linkTarget });
    }
  }
}

/** The manifest of one cache directory (the text is the shared one the writer hashes); onBytes gets each file's size. */
export async function cacheManifestSha256(dir: string, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<CacheReadBack> {
  const entries: CacheFileEntry[] = [];
  await walk(dir, dir, entries, signal, onBytes);
  return { sha256: createHash('sha256').update(cacheManifestText(entries)).digest('hex'), ...cacheManifestSummary(entries), entries };
}

/** Every named cache as it reads back now (null: @caches/<kind> is missing), in one read-only mount of `part`. */
export async function readCacheManifests(path: string, part: ByteRange, kinds: readonly string[], signal?: AbortSignal, onBytes?: (n: number) => void): Promise<Map<string, CacheReadBack | null>> {
  return withReadOnlyMount(path, part.startBytes, part.sizeBytes, async (mnt) => {
    const out = new Map<string, CacheReadBack | null>();
    for (const kind of kinds) {
      const dir = join(mnt, '@caches', kind);
      const st = await lstat(dir).catch(() => null);
      // 256 is the inode number of a Btrfs subvolume's root folder, and of no other folder
      out.set(kind, st?.isDirectory() ? { ...(await cacheManifestSha256(dir, signal, onBytes)), subvolume: st.ino === 256 } : null);
    }
    return out;
  });
}
