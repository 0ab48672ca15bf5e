// Re-checks the offline caches a stick carries against its stamp: for each cache kind, the manifest of
// @caches/<kind> (sorted "sha256 size path" lines of its regular files, as the writer describes them) hashed
// again and compared with the stamp's manifestSha256. Read-only mount of the Btrfs partition holding @caches.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { cacheManifestSummary, cacheManifestText, type CacheFileEntry } from '../../../src-shared/profile/cache-manifest.ts';
import type { StickLayout, StickStamp } from './stick-reader.ts';
import { withReadOnlyMount } from './stick-tools.ts';

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

/** The manifest sha256 of one cache directory (the text is the shared one the writer hashes). */
export async function cacheManifestSha256(dir: string): Promise<{ sha256: string; files: number; sizeBytes: number }> {
  const paths: string[] = [];
  await walk(dir, paths);
  const entries: CacheFileEntry[] = [];
  for (const f of paths) entries.push({ path: relative(dir, f).split(sep).join('/'), sizeBytes: (await lstat(f)).size, sha256: await sha256File(f) });
  return { sha256: createHash('sha256').update(cacheManifestText(entries)).digest('hex'), ...cacheManifestSummary(entries) };
}

/** Checks every cache the stamp lists; returns the problems found (empty when all match). */
export async function checkCaches(path: string, layout: StickLayout, stamp: StickStamp): Promise<string[]> {
  const part = layout.partitions.find((p) => p.name === 'iios-data') ?? layout.partitions.find((p) => p.name === 'iios-system');
  if (!part) return ['no iios-data or iios-system partition to hold @caches'];
  return withReadOnlyMount(path, part.startBytes, part.sizeBytes, async (mnt) => {
    const bad: string[] = [];
    for (const c of stamp.caches) {
      const dir = join(mnt, '@caches', c.kind);
      const st = await lstat(dir).catch(() => null);
      if (!st?.isDirectory()) {
        bad.push(`${c.kind}: @caches/${c.kind} missing`);
        continue;
      }
      const got = await cacheManifestSha256(dir);
      if (got.sha256 !== c.manifestSha256) bad.push(`${c.kind}: ${got.files} files / ${got.sizeBytes} bytes differ from the stamp's ${c.files} / ${c.sizeBytes}`);
    }
    return bad;
  });
}
