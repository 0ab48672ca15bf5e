// Offline caches (apt, flatpak, bundles … one directory per kind on the computer) copied into the stick's
// @caches/<kind> subvolume, so a stick can rebuild another with no network. Each cache is described once
// for all targets by a manifest (sorted "sha256 size path" lines) whose sha256 goes into the stamp.
import { createHash } from 'node:crypto';
import { lstat, mkdir } from 'node:fs/promises';
import type { CacheRef } from '../../src-shared/job/write-job.ts';
import { subvolumeCreate } from '../tools/btrfs.ts';
import { cacheEntriesOf } from '../cache-walk.ts';
import { sha256AndXxh128 } from '../cache-digests.ts';
import { join } from 'node:path';
import type { TargetCtx } from '../context.ts';
import type { StartingUser } from '../../src-shared/drives/readable-by.ts';
import { cacheManifestSummary, cacheManifestText, type CacheFileEntry } from '../../src-shared/profile/cache-manifest.ts';
import type { SourceReadCheck } from '../source-access.ts';
import { run, runPiped } from '../tools/run.ts';

export interface CacheEntry {
  kind: string;
  sourcePath: string;
  /** The user who started iios (pkexec/sudo), as whom the cache is read when it is copied; null: root did. */
  readAs: StartingUser | null;
  files: number;
  sizeBytes: number;
  manifestSha256: string;
  /** The files the manifest lists: verify names the ones that read back different. */
  entries: CacheFileEntry[];
  /** Each regular file's xxHash3-128, taken in the same read as its sha256: what verify compares (cache-digests.ts). */
  xxh128: ReadonlyMap<string, string>;
  /** built from a cache set: its id and the build's date */
  set?: string;
  builtAt?: string;
}

/**
 * Describes every cache directory (refusing the job when one is missing, not a directory, or holds a folder or
 * file that the user who started iios cannot read: the whole directory is copied onto the stick).
 */
export async function describeCaches(caches: CacheRef[], access: SourceReadCheck, signal: AbortSignal): Promise<CacheEntry[]> {
  const out: CacheEntry[] = [];
  for (const c of caches) {
    const st = await lstat(c.path).catch(() => null);
    if (!st?.isDirectory()) throw new Error(`cache ${c.kind}: ${c.path} is not a directory`);
    await access.check(c.path, 'list');
    const xxh128 = new Map<string, string>();
    const entries = await cacheEntriesOf(c.path, {
      folder: (p, st) => access.checkEntry(p, st, 'list'),
      file: (p, st) => access.checkEntry(p, st, 'read'),
      sha256: async (p, rel, _st, sig) => {
        const d = await sha256AndXxh128(p, sig);
        xxh128.set(rel, d.xxh128);
        return d.sha256;
      },
      signal,
    });
    // the shared text, so the helper's verify and `iios verify` rebuild exactly what the stamp records
    const manifestSha256 = createHash('sha256').update(cacheManifestText(entries)).digest('hex');
    if (c.manifestSha256 && c.manifestSha256 !== manifestSha256) {
      // the library folder is not what its build recorded (changed by hand, or a rebuild that did not finish)
      throw new Error(`cache ${c.kind}: ${c.path} changed since cache set ${c.set ?? '?'} was built${c.builtAt ? ` (${c.builtAt})` : ''}: run iios caches build ${c.set ?? 'SET'} again`);
    }
    const fromSet = c.set ? { set: c.set, ...(c.builtAt ? { builtAt: c.builtAt } : {}) } : {};
    out.push({ kind: c.kind, sourcePath: c.path, readAs: access.users[0] ?? null, ...cacheManifestSummary(entries), manifestSha256, entries, xxh128, ...fromSet });
  }
  return out;
}

/**
 * Copies the caches into <mnt>/@caches/<kind>/ (owners, modes, links kept). A kind from a cache set is its own
 * subvolume, so a stick's caches are brought up to date kind by kind (`iios caches update`); a plain folder
 * given with `--cache KIND=DIR` stays a folder of @caches, as it always was.
 */
export async function copyCaches(ctx: TargetCtx, mnt: string, caches: CacheEntry[]): Promise<void> {
  if (caches.length === 0) return;
  ctx.enter('caches');
  for (const c of caches) {
    const dest = join(mnt, '@caches', c.kind);
    await mkdir(join(mnt, '@caches'), { recursive: true });
    if (c.set) await subvolumeCreate(dest, { signal: ctx.signal });
    else await mkdir(dest, { recursive: true });
    if (c.readAs) await copyTreeAs(c.readAs, c.sourcePath, dest, ctx.signal);
    else await run('cp', ['-a', '--reflink=never', `${c.sourcePath}/.`, `${dest}/`], { signal: ctx.signal });
  }
}

/**
 * A cache tree read as the user who started iios (setpriv, no capabilities) and unpacked as root: a folder
 * swapped after describeCaches checked it (for a link into /root, say) is read with that user's rights, so
 * nothing they may not read reaches the stick. tar keeps modes, owners (numeric), links and hard links.
 */
export async function copyTreeAs(user: StartingUser, src: string, dest: string, signal: AbortSignal): Promise<void> {
  const groups = user.gids.length ? [`--groups=${user.gids.join(',')}`] : ['--clear-groups'];
  const regid = user.gids[0] ?? user.uid;
  await runPiped(
    ['setpriv', [`--reuid=${user.uid}`, `--regid=${regid}`, ...groups, '--inh-caps=-all', '--', 'tar', '-C', src, '-cf', '-', '.']],
    ['tar', ['-C', dest, '-xpf', '-', '--numeric-owner']],
    { signal },
  );
}

/** What the stamp records about each cache. */
export function cacheStamps(caches: CacheEntry[]): { kind: string; files: number; sizeBytes: number; manifestSha256: string; set?: string; builtAt?: string }[] {
  return caches.map(({ kind, files, sizeBytes, manifestSha256, set, builtAt }) => ({ kind, files, sizeBytes, manifestSha256, ...(set ? { set } : {}), ...(builtAt ? { builtAt } : {}) }));
}
