// The digests of one cache file. The writer takes each file's sha256 (what the manifest and the stamp record) and
// its xxHash3-128 in one read of the source, once per job; the helper's verify reads each file back off every
// stick with xxHash3-128 only (about 0.4x sha256's CPU here: eight sticks' caches are re-hashed at once on two
// cores, and sha256 kept the 8-stick bench's verify CPU-bound) and compares it with the source's. A file whose
// fast digest agrees has the source's sha256; one that differs is read again for its own sha256, so a failure
// says what it always said (the sha256 read back, the one expected). xxHash3 guards against media and transfer
// faults, as the raw writes' chunk digests do (io/chunk-hash.ts), not against a forged stick.
import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import type { CacheFileEntry } from '../src-shared/profile/cache-manifest.ts';
import { CHUNK_BYTES } from './io/aligned.ts';
import { createXxh128 } from './io/chunk-hash.ts';
import { sha256OfFile } from './source.ts';

/** One read of `path`: its sha256 and xxHash3-128 (hex). */
export async function sha256AndXxh128(path: string, signal?: AbortSignal): Promise<{ sha256: string; xxh128: string }> {
  const sha = createHash('sha256');
  const xxh = await createXxh128();
  for await (const chunk of readChunks(path, signal)) {
    sha.update(chunk);
    xxh.update(chunk);
  }
  return { sha256: sha.digest('hex'), xxh128: xxh.digest('hex') };
}

/** xxHash3-128 (hex) of `path`. */
export async function xxh128OfFile(path: string, signal?: AbortSignal): Promise<string> {
  const xxh = await createXxh128();
  for await (const chunk of readChunks(path, signal)) xxh.update(chunk);
  return xxh.digest('hex');
}

function readChunks(path: string, signal?: AbortSignal): AsyncIterable<Buffer> {
  signal?.throwIfAborted();
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES, signal });
  // a cancel must reach the loop as a rejection, not as an unhandled 'error' event
  stream.on('error', () => undefined);
  return stream;
}

/** What a cache directory held when it was described: its entries and each regular file's xxHash3-128, by path. */
export interface CacheSourceDigests {
  entries: readonly CacheFileEntry[];
  xxh128: ReadonlyMap<string, string>;
}

/**
 * The sha256 the read-back records for a file of the stick's cache (`rel`: its path in the manifest): the
 * source's, where the file has the source's size and xxHash3-128; else its own.
 */
export function readBackSha256(source: CacheSourceDigests): (path: string, rel: string, st: Stats, signal?: AbortSignal) => Promise<string> {
  const byPath = new Map(source.entries.filter((e) => e.linkTarget === undefined).map((e) => [e.path, e]));
  return async (path, rel, st, signal) => {
    const want = byPath.get(rel);
    const fast = source.xxh128.get(rel);
    if (want && fast && want.sizeBytes === st.size && (await xxh128OfFile(path, signal)) === fast) return want.sha256;
    return sha256OfFile(path, signal);
  };
}
