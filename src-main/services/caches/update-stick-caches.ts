// `iios caches update`: a stick's caches brought up to the library's last build of a cache set, writing only
// what changed. Each kind whose manifest sha256 differs from the stamp's is mirrored with rsync from the library
// into its subvolume @caches/<kind> (files unchanged in size and time are not touched; new ones written, gone ones
// removed), read back and hashed against the build's manifest. The stamp says complete:false while this runs and
// true again only once every changed kind reads back as built, so an interrupted update never looks complete.
//
// Why rsync and not `btrfs send -p`: an incremental send needs the same read-only parent snapshot on both sides,
// and the library lives on the computer's filesystem (rarely Btrfs). Measured here (test/bench/cache-sets.ts, a
// 20 MB apt cache with 1% added, loop devices): rsync 0.36 s, send -p + receive 0.36 s, a full rewrite 0.81 s —
// rsync is as fast, and needs neither a Btrfs library nor a parent snapshot kept on both sides.
import { lstat, mkdir, rename, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheRef } from '../../../src-shared/job/write-job.ts';
import { runTool } from '../run-tool.ts';
import { cacheManifestSha256 } from '../stick/stick-caches.ts';
import { partitionByName, readStick, type StickInfo, type StickPartition, type StickStamp } from '../stick/stick-reader.ts';
import { cacheSetRefs } from './cache-set-refs.ts';
import { withWritableMount, writeStickStamp } from './stick-writable.ts';
import { t } from '../../../src-shared/i18n/index.ts';
import { cacheContentBytes, type CacheContent } from '../../../src-shared/caches/cache-fit.ts';
import { formatBytes } from '../../../src-shared/format/bytes.ts';
import { filesUnder } from './folder-bytes.ts';
import { stickReadWords } from '../../../src-shared/errors/stick-read-words.ts';

type Ref = CacheRef;

export interface CacheKindChange {
  kind: string;
  ref: Ref;
  /** what the stick holds now (null: nothing of this kind) */
  onStick: StickStamp['caches'][number] | null;
  /** what the library's build holds */
  content: CacheContent;
}

export interface StickCachesPlan {
  info: StickInfo;
  stamp: StickStamp;
  esp: StickPartition;
  part: StickPartition;
  setId: string;
  changes: CacheKindChange[];
  unchanged: string[];
}

export async function planStickCachesUpdate(stick: string, setArg: string): Promise<StickCachesPlan> {
  const refs = await cacheSetRefs(setArg);
  const info = await readStick(stick);
  if (!info.stamp || !info.esp || !info.layout) throw new Error(t('cachesUpdate.notIios', { stick, why: info.readProblem ? stickReadWords(info.readProblem) : t('cachesUpdate.noStamp') }));
  if (!info.complete) throw new Error(t('cachesUpdate.incomplete', { stick }));
  const part = partitionByName(info.layout, 'iios-data') ?? partitionByName(info.layout, 'iios-system');
  if (!part) throw new Error(t('cachesUpdate.noPartition', { stick }));
  const changes: CacheKindChange[] = [];
  const unchanged: string[] = [];
  for (const ref of refs) {
    const onStick = info.stamp.caches.find((c) => c.kind === ref.kind) ?? null;
    if (onStick && onStick.manifestSha256 === ref.manifestSha256 && onStick.set === ref.set) unchanged.push(ref.kind);
    else changes.push({ kind: ref.kind, ref, onStick, content: await contentOf(ref.path) });
  }
  return { info, stamp: info.stamp, esp: info.esp, part, setId: refs[0]?.set ?? setArg, changes, unchanged };
}

async function contentOf(dir: string): Promise<CacheContent> {
  const files = await filesUnder(dir);
  let bytes = 0;
  for (const size of files.values()) bytes += size;
  return { bytes, files: files.size };
}

/** Room the Btrfs never gives to files (global reserve and a margin), as the fit rule keeps it (cache-fit.ts). */
const KEEP_FREE_BYTES = 32 * 1024 * 1024;

/**
 * What the update adds to the partition: each changed kind's new content less what it replaces (by the fit rule's
 * count of bytes and files; rsync writes changed files in place, so no file is held twice). A stick written for a
 * smaller set may not have that room: refused before anything is written, not by a full disk half-way.
 */
export function updateGrowthBytes(changes: CacheKindChange[]): number {
  let growth = 0;
  for (const c of changes) {
    const before = c.onStick ? cacheContentBytes({ bytes: c.onStick.sizeBytes, files: c.onStick.files }) : 0;
    growth += cacheContentBytes(c.content) - before;
  }
  return Math.max(0, growth);
}

async function checkRoom(plan: StickCachesPlan, mnt: string): Promise<void> {
  const fs = await statfs(mnt);
  const free = fs.bavail * fs.bsize;
  const need = updateGrowthBytes(plan.changes);
  if (need > free - KEEP_FREE_BYTES) {
    throw new Error(t('cachesUpdate.noRoom', { stick: plan.info.path, need: formatBytes(need), free: formatBytes(Math.max(0, free - KEEP_FREE_BYTES)) }));
  }
}

export interface KindUpdateResult {
  kind: string;
  /** bytes of the files rsync wrote (new or changed ones) */
  bytesWritten: number;
  filesWritten: number;
  filesDeleted: number;
  seconds: number;
}

/** "Number of regular files transferred: 2", "Total transferred file size: 1,234 bytes" … from `rsync --stats`. */
export function rsyncStats(stdout: string): { files: number; bytes: number; deleted: number } {
  const num = (re: RegExp) => Number((re.exec(stdout)?.[1] ?? '0').replace(/,/g, ''));
  return { files: num(/Number of regular files transferred: ([\d,]+)/), bytes: num(/Total transferred file size: ([\d,]+)/), deleted: num(/Number of deleted files: ([\d,]+)/) };
}

/** Makes @caches/<kind> a subvolume of its own (an older stick holds a plain folder: its files move over, reflinked). */
async function ensureSubvolume(cachesDir: string, kind: string): Promise<string> {
  const dir = join(cachesDir, kind);
  await mkdir(cachesDir, { recursive: true });
  const st = await lstat(dir).catch(() => null);
  if (st?.isDirectory() && st.ino === 256) return dir;
  if (!st) {
    await runTool('btrfs', ['subvolume', 'create', dir]);
    return dir;
  }
  const fresh = join(cachesDir, `.${kind}.new`);
  await runTool('btrfs', ['subvolume', 'create', fresh]);
  await runTool('cp', ['-a', '--reflink=always', `${dir}/.`, `${fresh}/`]);
  await rm(dir, { recursive: true, force: true });
  await rename(fresh, dir);
  return dir;
}

export async function applyStickCachesUpdate(plan: StickCachesPlan, onKind?: (r: KindUpdateResult) => void): Promise<KindUpdateResult[]> {
  const { info, esp, part } = plan;
  if (plan.changes.length === 0) return [];
  const results: KindUpdateResult[] = [];
  const caches = plan.stamp.caches.map((c) => ({ ...c }));
  await withWritableMount(info.path, part.startBytes, part.sizeBytes, async (mnt) => {
    // Room first: a stick refused here keeps its stamp complete and its caches as they were.
    await checkRoom(plan, mnt);
    await writeStickStamp(info.path, esp.startBytes, { ...plan.stamp, complete: false });
    for (const ch of plan.changes) {
      const started = Date.now();
      const dest = await ensureSubvolume(join(mnt, '@caches'), ch.kind);
      const { stdout } = await runTool('rsync', ['-a', '--delete', '--inplace', '--stats', `${ch.ref.path}/`, `${dest}/`]);
      await runTool('btrfs', ['filesystem', 'sync', mnt]);
      const back = await cacheManifestSha256(dest);
      if (back.sha256 !== ch.ref.manifestSha256) {
        throw new Error(t('cachesUpdate.readBack', { kind: ch.kind, got: back.sha256, want: ch.ref.manifestSha256 ?? '?' }));
      }
      const entry = { kind: ch.kind, files: back.files, sizeBytes: back.sizeBytes, manifestSha256: back.sha256, set: ch.ref.set, builtAt: ch.ref.builtAt };
      const i = caches.findIndex((c) => c.kind === ch.kind);
      if (i >= 0) caches[i] = entry;
      else caches.push(entry);
      const s = rsyncStats(stdout);
      const r = { kind: ch.kind, bytesWritten: s.bytes, filesWritten: s.files, filesDeleted: s.deleted, seconds: (Date.now() - started) / 1000 };
      results.push(r);
      onKind?.(r);
    }
  });
  await writeStickStamp(info.path, esp.startBytes, { ...plan.stamp, caches, complete: true });
  return results;
}
