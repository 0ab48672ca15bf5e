// The helper's read-back of the offline caches: @caches/<kind> on the written stick (a read-only mount of a
// read-only loop over its partition) walked and hashed again into the same manifest text the writer built
// (src-shared cache-manifest). The comparison with what the stamp records is the shared one
// (src-shared/verify/stick-checks.ts); this file only reads.
import { createHash } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { cacheEntriesOf } from '../cache-walk.ts';
import { readBackSha256, type CacheSourceDigests } from '../cache-digests.ts';
import { join } from 'node:path';
import { cacheManifestSummary, cacheManifestText } from '../../src-shared/profile/cache-manifest.ts';
import type { ByteRange, CacheReadBack } from '../../src-shared/verify/stick-checks.ts';
import { withLoop } from '../tools/losetup.ts';
import { withMount } from '../tools/mount.ts';

/**
 * The manifest of one cache directory as it is now; onBytes gets each file's size once it is hashed. With the
 * source's digests, a file that reads back with the source's size and xxHash3-128 is not hashed with sha256.
 */
export async function cacheManifestOf(dir: string, signal?: AbortSignal, onBytes?: (n: number) => void, source?: CacheSourceDigests): Promise<CacheReadBack> {
  const entries = await cacheEntriesOf(dir, { signal, onBytes, ...(source ? { sha256: readBackSha256(source) } : {}) });
  const sha256 = createHash('sha256').update(cacheManifestText(entries)).digest('hex');
  return { sha256, ...cacheManifestSummary(entries), entries };
}

/**
 * Every named cache of the stick as it reads back now (null: @caches/<kind> is missing), in one read-only mount
 * of a direct-I/O loop (the stick answers, not a page cache). `sources`: the digests of the kinds this job copied.
 */
export async function readCacheManifests(
  disk: string,
  part: ByteRange,
  kinds: readonly string[],
  signal: AbortSignal,
  onBytes?: (n: number) => void,
  sources: ReadonlyMap<string, CacheSourceDigests> = new Map(),
): Promise<Map<string, CacheReadBack | null>> {
  return withLoop(
    disk,
    part.startBytes,
    part.sizeBytes,
    (dev) =>
      withMount(
        dev,
        async (mnt) => {
          const out = new Map<string, CacheReadBack | null>();
          for (const kind of kinds) {
            const dir = join(mnt, '@caches', kind);
            const st = await lstat(dir).catch(() => null);
            // 256 is the inode number of a Btrfs subvolume's root folder, and of no other folder
            out.set(kind, st?.isDirectory() ? { ...(await cacheManifestOf(dir, signal, onBytes, sources.get(kind))), subvolume: st.ino === 256 } : null);
          }
          return out;
        },
        ['ro'],
        { signal },
      ),
    { readOnly: true, directIo: true, signal },
  );
}
