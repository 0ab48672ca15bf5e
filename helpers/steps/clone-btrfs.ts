// Btrfs content of a clone, subvolume by subvolume, from the source's read-only mount onto a fresh filesystem
// (a fresh UUID: two sticks with one Btrfs UUID confuse the kernel). Read-only snapshots travel as `btrfs send`
// streams (with -p when an earlier one is a snapshot of the same subvolume, so they share extents again); a
// live subvolume cannot be snapshotted on a read-only source, so it starts as a snapshot of the read-only
// snapshot taken of it (sharing its extents) and is then brought up to date with rsync -aHAX (owners, modes,
// xattrs, ACLs, links and hard links kept; -xx stays inside the subvolume). Live ones with no snapshot are
// copied whole into a new subvolume.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PlannedPartition } from '../../src-shared/layout/index.ts';
import type { TargetCtx } from '../context.ts';
import { filesystemSync, subvolumeCreate } from '../tools/btrfs.ts';
import { withLoop } from '../tools/losetup.ts';
import { mkfsBtrfs } from '../tools/mkfs.ts';
import { withMount } from '../tools/mount.ts';
import { run, runPiped } from '../tools/run.ts';
import { limitDirty } from '../tools/writeback.ts';
import type { MountedBtrfs } from './clone-source.ts';

export interface SourceSubvolume {
  path: string;
  uuid: string;
  parentUuid: string | null;
  generation: number;
  readOnly: boolean;
}

/** `btrfs subvolume list -u -q` lines: "ID 257 gen 9 top level 5 parent_uuid - uuid 1b2… path @home". */
export function parseSubvolumeList(text: string): Omit<SourceSubvolume, 'readOnly'>[] {
  const out: Omit<SourceSubvolume, 'readOnly'>[] = [];
  for (const line of text.split('\n')) {
    const m = /^ID \d+ gen (\d+) top level \d+ parent_uuid (\S+)\s+uuid (\S+) path (.+)$/.exec(line.trim());
    if (m) out.push({ generation: Number(m[1]), parentUuid: m[2] === '-' ? null : m[2]!, uuid: m[3]!, path: m[4]!.replace(/^<FS_TREE>\//, '') });
  }
  return out;
}

export async function listSubvolumes(mnt: string, signal: AbortSignal): Promise<SourceSubvolume[]> {
  const { stdout } = await run('btrfs', ['subvolume', 'list', '-u', '-q', mnt], { signal });
  const out: SourceSubvolume[] = [];
  for (const s of parseSubvolumeList(stdout)) {
    const ro = await run('btrfs', ['property', 'get', '-ts', join(mnt, s.path), 'ro'], { signal });
    out.push({ ...s, readOnly: ro.stdout.trim() === 'ro=true' });
  }
  return out;
}

const EMPTIED_BY_FRESH = new Set(['@home', '@state']);
const under = (path: string, top: string) => path === top || path.startsWith(`${top}/`);

/** Where the bulk of a stick's data lives (copied file by file); made last, see cloneOrder. */
const BULK = ['@home', '@state', '@caches'];

/**
 * The order to make subvolumes in: each after the subvolume that holds it and after the snapshot it starts from;
 * of the ones ready, the system's before the bulk data's. Each snapshot, receive and read-only switch commits a
 * Btrfs transaction, which waits behind every write queued on the stick: after a large @home copy the few MiB of
 * system took seconds (the bench saw 6 s on a 40 MB/s stick), before it they take a moment on an idle stick.
 */
export function cloneOrder(subs: SourceSubvolume[]): { sub: SourceSubvolume; base: SourceSubvolume | null; sendParent: SourceSubvolume | null }[] {
  const todo = [...subs].sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.path.localeCompare(b.path));
  const done: SourceSubvolume[] = [];
  const out: ReturnType<typeof cloneOrder> = [];
  const ready = (s: SourceSubvolume) => {
    const holder = subs.filter((o) => o !== s && s.path.startsWith(`${o.path}/`));
    if (!holder.every((h) => done.includes(h))) return false;
    const base = s.readOnly ? null : latestSnapshotOf(subs, s);
    return !base || done.includes(base);
  };
  const bulk = (s: SourceSubvolume) => BULK.some((top) => under(s.path, top));
  while (todo.length) {
    let i = todo.findIndex((s) => ready(s) && !bulk(s));
    if (i < 0) i = todo.findIndex(ready);
    if (i < 0) throw new Error(`the source's subvolumes cannot be ordered: ${todo.map((s) => s.path).join(', ')}`);
    const sub = todo.splice(i, 1)[0]!;
    const base = sub.readOnly ? null : latestSnapshotOf(subs, sub);
    const sendParent = sub.readOnly && sub.parentUuid ? (done.filter((d) => d.readOnly && d.parentUuid === sub.parentUuid).at(-1) ?? null) : null;
    out.push({ sub, base, sendParent });
    done.push(sub);
  }
  return out;
}

function latestSnapshotOf(subs: SourceSubvolume[], live: SourceSubvolume): SourceSubvolume | null {
  return subs.filter((s) => s.readOnly && s.parentUuid === live.uuid).sort((a, b) => b.generation - a.generation)[0] ?? null;
}

async function rsyncInto(src: string, dest: string, signal: AbortSignal): Promise<void> {
  await run('rsync', ['-aHAXS', '-xx', '--numeric-ids', '--delete', `${src}/`, `${dest}/`], { signal });
}

/** Boot counts start again on a clone: the counter in the writable system and in the A/B overlay. */
async function resetBootCounters(mnt: string, hostname: string, subs: string[]): Promise<void> {
  if (subs.includes('@')) {
    await rm(join(mnt, '@/var/lib/iios/boot-count'), { force: true });
    await mkdir(join(mnt, '@/etc'), { recursive: true });
    await writeFile(join(mnt, '@/etc/hostname'), `${hostname}\n`);
  }
  if (subs.includes('@state')) {
    // the A/B boot keeps its counter at @state/boot-count (an overlay's upper may hold var/lib/iios/boot-count)
    await rm(join(mnt, '@state/boot-count'), { force: true });
    const { stdout } = await run('find', [join(mnt, '@state'), '-xdev', '-path', '*/var/lib/iios/boot-count']);
    for (const f of stdout.split('\n').filter(Boolean)) await rm(f, { force: true });
  }
}

/** mkfs on the target's partition, then every subvolume of the source's, in cloneOrder. */
export async function cloneBtrfsPartition(ctx: TargetCtx, part: PlannedPartition, src: MountedBtrfs, opts: { fresh: boolean }): Promise<void> {
  const signal = ctx.signal;
  const subs = await listSubvolumes(src.mnt, signal);
  await withLoop(
    ctx.disk,
    part.startBytes,
    part.sizeBytes,
    async (dev) => {
      await mkfsBtrfs(dev, part.name, { signal });
      await withMount(dev, async (mnt) => {
        const unlimited = await limitDirty(dev, undefined, { signal });
        if (unlimited) ctx.log('debug', unlimited);
        for (const { sub, base, sendParent } of cloneOrder(subs)) {
          const dest = join(mnt, sub.path);
          const emptied = opts.fresh && [...EMPTIED_BY_FRESH].some((top) => under(sub.path, top));
          if (emptied && !EMPTIED_BY_FRESH.has(sub.path)) continue;
          await mkdir(dirname(dest), { recursive: true });
          if (sub.readOnly && !emptied && src.canSend) {
            const parent = sendParent ? ['-p', join(src.mnt, sendParent.path)] : [];
            await runPiped(['btrfs', ['send', '-q', ...parent, join(src.mnt, sub.path)]], ['btrfs', ['receive', dirname(dest)]], { signal });
            ctx.log('debug', `${part.name}: ${sub.path} received as a read-only snapshot${sendParent ? ` (parent ${sendParent.path})` : ''}`);
            continue;
          }
          if (base && !emptied) await run('btrfs', ['subvolume', 'snapshot', join(mnt, base.path), dest], { signal });
          else await subvolumeCreate(dest, { signal });
          if (!emptied) await rsyncInto(join(src.mnt, sub.path), dest, signal);
          else await run('chmod', ['--reference', join(src.mnt, sub.path), dest], { signal });
          if (sub.readOnly) await run('btrfs', ['property', 'set', '-ts', dest, 'ro', 'true'], { signal });
          ctx.log('debug', `${part.name}: ${sub.path} ${emptied ? 'made empty (--fresh)' : base ? `from ${base.path}, brought up to date` : 'copied'}`);
        }
        await resetBootCounters(mnt, ctx.target.hostname, subs.map((s) => s.path));
        await filesystemSync(mnt, { signal });
      });
    },
    { signal, directIo: true },
  );
}
