// The helper's read-back of the offline caches: @caches/<kind> on the written stick (a read-only mount of a
// read-only loop over its partition) walked and hashed again into the same manifest text the writer built
// (src-shared cache-manifest), whose sha256 must be the one the stamp records.
import { createHash } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { PlannedPartition } from '../../src-shared/layout/index.ts';
import { cacheManifestSummary, cacheManifestText, type CacheFileEntry } from '../../src-shared/profile/cache-manifest.ts';
import type { TargetCtx } from '../context.ts';
import { sha256OfFile } from '../source.ts';
import { withLoop } from '../tools/losetup.ts';
import { withMount } from '../tools/mount.ts';

export interface CacheExpect {
  kind: string;
  files: number;
  sizeBytes: number;
  manifestSha256: string;
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

/** The manifest of one cache directory as it is now; onBytes gets each file's size once it is hashed. */
export async function cacheManifestOf(dir: string, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<{ sha256: string; files: number; sizeBytes: number }> {
  const paths: string[] = [];
  await walk(dir, paths);
  const entries: CacheFileEntry[] = [];
  for (const p of paths) {
    const sizeBytes = (await lstat(p)).size;
    entries.push({ path: relative(dir, p).split(sep).join('/'), sizeBytes, sha256: await sha256OfFile(p, signal) });
    onBytes?.(sizeBytes);
  }
  const sha256 = createHash('sha256').update(cacheManifestText(entries)).digest('hex');
  return { sha256, ...cacheManifestSummary(entries) };
}

/** Throws, naming every cache that differs, unless each @caches/<kind> hashes to its recorded manifest. */
export async function verifyCaches(ctx: TargetCtx, part: PlannedPartition, caches: readonly CacheExpect[], onBytes?: (n: number) => void): Promise<void> {
  const bad = await withLoop(
    ctx.disk,
    part.startBytes,
    part.sizeBytes,
    (dev) =>
      withMount(
        dev,
        async (mnt) => {
          const out: string[] = [];
          for (const c of caches) {
            const dir = join(mnt, '@caches', c.kind);
            if (!(await lstat(dir).catch(() => null))?.isDirectory()) {
              out.push(`${c.kind}: @caches/${c.kind} is missing`);
              continue;
            }
            const got = await cacheManifestOf(dir, ctx.signal, onBytes);
            if (got.sha256 !== c.manifestSha256) {
              out.push(`${c.kind}: reads back as ${got.files} files / ${got.sizeBytes} bytes with manifest sha256 ${got.sha256}, expected ${c.files} / ${c.sizeBytes} with ${c.manifestSha256}`);
            }
          }
          return out;
        },
        ['ro'],
        { signal: ctx.signal },
      ),
    { readOnly: true, signal: ctx.signal },
  );
  if (bad.length) throw new Error(`cache ${bad.join('; ')}`);
}
