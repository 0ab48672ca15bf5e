// Jobs on one stick in place, offline, from what the stick itself carries:
// - repair: the ESP and the system slots rewritten from the bundle stored in @iios/bundles/ (a slot that fails
//   verity, a damaged ESP); @home, @state and the caches are not touched. The stamp goes to complete:false while
//   the slots are rewritten and back to complete:true after verify, keeping its names, caches and clonedFrom.
// - reset (writable profiles): @ replaced by a fresh snapshot of @snapshots/factory, @home emptied unless
//   keepHome. The swap is two renames, so @ is always either the old or the new system.
import { readdir, readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StickJob } from '../../src-shared/job/clone-job.ts';
import type { TargetResult } from '../../src-shared/job/events.ts';
import { StickStampSchema, type StickStamp } from '../../src-shared/job/stick-stamp.ts';
import { planLayout, type PartitionPlan } from '../../src-shared/layout/index.ts';
import { BundleManifestSchema, type BundleManifest } from '../../src-shared/profile/bundle-manifest.ts';
import { ImageProfileSchema, profileSlots, type ImageProfile } from '../../src-shared/profile/profile-schema.ts';
import { FailureError, TargetCtx, type Emit } from '../context.ts';
import { invalidJob, refusedJobError } from '../job-errors.ts';
import { sha256OfFile, type BundleSource } from '../source.ts';
import { subvolumeCreate } from '../tools/btrfs.ts';
import { withLoop } from '../tools/losetup.ts';
import { withMount } from '../tools/mount.ts';
import { fatRead } from '../tools/mtools.ts';
import { run } from '../tools/run.ts';
import { refusalFailure, stickSafety } from './stick-refusals.ts';
import { esp } from './esp.ts';
import { writeSlots } from './slots.ts';
import { STAMP_PATH, stampObject, writeStamp } from './stamp.ts';
import { verifyTarget } from './verify.ts';

export interface GptEntry {
  name: string;
  startBytes: number;
  sizeBytes: number;
}

export async function gptEntries(disk: string): Promise<GptEntry[]> {
  const { stdout } = await run('sfdisk', ['--json', disk]);
  const t = (JSON.parse(stdout) as { partitiontable: { sectorsize?: number; partitions?: { start: number; size: number; name?: string }[] } }).partitiontable;
  const sector = t.sectorsize ?? 512;
  return (t.partitions ?? []).map((p) => ({ name: p.name ?? '', startBytes: p.start * sector, sizeBytes: p.size * sector }));
}

export async function readStamp(disk: string, parts: GptEntry[]): Promise<StickStamp | null> {
  const espPart = parts.find((p) => p.name === 'IIOS-ESP');
  if (!espPart) return null;
  const text = await fatRead({ disk, offset: espPart.startBytes }, STAMP_PATH).catch(() => null);
  if (!text) return null;
  try {
    const r = StickStampSchema.safeParse(JSON.parse(text.toString('utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** The plan the stick was written with: its profile for its size, checked against the table it has now. */
export function planMatching(profile: ImageProfile, manifest: BundleManifest, diskBytes: number, parts: GptEntry[], cacheRoomBytes?: number): PartitionPlan {
  // a layout that kept room for caches before its A/B slots grew is re-planned with that same room
  const plan = planLayout(profile, manifest, diskBytes, cacheRoomBytes ? { cacheRoomBytes } : {});
  for (const p of plan.partitions) {
    const got = parts.find((x) => x.name === p.name);
    if (!got || got.startBytes !== p.startBytes || got.sizeBytes !== p.sizeBytes) {
      throw new FailureError(`the stick's ${p.name} partition is not where its ${profile.id} profile puts it; write the stick again instead`, { key: 'stick-refused', refusal: { reason: 'layout-differs', partition: p.name, profile: profile.id } });
    }
  }
  return plan;
}

/** Runs fn with the partition holding @iios mounted (read-only unless asked): the stick's profile and bundles. */
export async function withIios<T>(disk: string, parts: GptEntry[], fn: (mnt: string) => Promise<T>, readOnly = true): Promise<T> {
  const part = parts.find((p) => p.name === 'iios-data') ?? parts.find((p) => p.name === 'iios-system');
  if (!part) throw new FailureError('this is not an iios stick: it has no iios-data or iios-system partition', { key: 'stick-refused', refusal: { reason: 'not-iios' } });
  return withLoop(disk, part.startBytes, part.sizeBytes, (dev) => withMount(dev, fn, readOnly ? ['ro'] : []), { readOnly });
}

export async function storedProfile(mnt: string, id: string | null): Promise<ImageProfile> {
  const dir = join(mnt, '@iios/profiles');
  const names = id ? [`${id}.json`] : (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
  if (names.length !== 1) throw new FailureError('the stick carries no profile in @iios/profiles/ (written by an older iios?): write it again', { key: 'stick-refused', refusal: { reason: 'no-profile' } });
  return ImageProfileSchema.parse(JSON.parse(await readFile(join(dir, names[0]!), 'utf8')));
}

async function storedBundle(mnt: string, stamp: StickStamp | null): Promise<BundleSource> {
  const root = join(mnt, '@iios/bundles');
  const slot = stamp ? (stamp.slots.a ?? Object.values(stamp.slots)[0]) : undefined;
  const names = slot ? [`${slot.bundle}-${slot.version}`] : await readdir(root).catch(() => [] as string[]);
  if (names.length !== 1) throw new FailureError(`the stick's bundle is not in @iios/bundles/ (${names.length} candidates)`, { key: 'stick-refused', refusal: { reason: 'no-bundle', bundle: null } });
  const dir = join(root, names[0]!);
  const manifestText = await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => {
    throw new FailureError(`the stick's bundle ${names[0]} is not in @iios/bundles/`, { key: 'stick-refused', refusal: { reason: 'no-bundle', bundle: names[0]! } });
  });
  const manifest = BundleManifestSchema.parse(JSON.parse(manifestText));
  const files = Object.fromEntries(Object.keys(manifest.files).map((n) => [n, join(dir, n)]));
  return { kind: 'bundle', dir, manifest, manifestText, files, paths: [dir], handles: [] };
}

interface RepairDone {
  init: Parameters<typeof stampObject>[0];
  extra: Record<string, unknown>;
  createdAt: string;
  slot: { rootfsBytes: number; rootfsSha256: string; rootHash: string | null };
}

/** ESP, stamp (complete:false) and slots from the stored bundle, while its partition is mounted read-only. */
async function repairWrite(t: TargetCtx, stamp: StickStamp | null, bundle: BundleSource, profile: ImageProfile): Promise<RepairDone | null> {
  const m = bundle.manifest;
  // the stored bundle is checked before it replaces anything: a damaged copy must not become the system
  for (const name of [m.bootloader, m.kernel, m.initrd]) {
    if ((await sha256OfFile(bundle.files[name]!, t.signal)) !== m.files[name]!.sha256) throw new FailureError(`the stick's stored bundle file ${name} is damaged; repair is not possible from this stick`, { key: 'stick-refused', refusal: { reason: 'bundle-damaged', file: name } });
  }
  const slot = { bundle: m.name, version: m.version, rootHash: m.verity?.rootHash ?? null, rootfsSha256: m.files[m.rootfs.file]!.sha256, rootfsBytes: m.rootfs.sizeBytes };
  const createdAt = stamp?.createdAt ?? new Date().toISOString();
  const espFiles = await esp(t, bundle);
  const init = {
    profile: profile.id,
    hostname: t.target.hostname,
    diskBytes: t.plan.diskBytes,
    sectorSize: t.plan.sectorSize,
    slots: Object.fromEntries(profileSlots(profile).map((s) => [s, slot])),
    payload: stamp?.payload ?? [],
    caches: stamp?.caches ?? [],
    espFiles,
    ...(stamp?.cacheRoomBytes ? { cacheRoomBytes: stamp.cacheRoomBytes } : {}),
  };
  const extra = { repairedAt: new Date().toISOString(), ...(stamp?.clonedFrom ? { clonedFrom: stamp.clonedFrom } : {}) };
  t.enter('stamp');
  await writeStamp(t, { ...stampObject(init, false, createdAt), ...extra });
  await writeSlots([t], bundle, t.signal);
  return t.failure ? null : { init, extra, createdAt, slot };
}

/** Verify (the data partition unmounted again: btrfs check needs that), then complete:true. */
async function repairFinish(t: TargetCtx, done: RepairDone): Promise<void> {
  const { init, slot } = done;
  await verifyTarget(t, { rootfsBytes: slot.rootfsBytes, rootfsSha256: slot.rootfsSha256, rootHash: slot.rootHash, espFiles: init.espFiles, caches: init.caches });
  t.verified = true;
  t.enter('stamp');
  await writeStamp(t, { ...stampObject(init, true, done.createdAt), ...done.extra });
}

/** Swaps `path` for `fresh` (two renames: the path always names a whole subvolume), then deletes the old one. */
async function swapSubvolume(mnt: string, path: string, fresh: string, signal: AbortSignal): Promise<void> {
  const old = join(mnt, `${path}.iios-old`);
  await rename(join(mnt, path), old);
  await rename(join(mnt, fresh), join(mnt, path));
  await run('btrfs', ['subvolume', 'delete', old], { signal });
}

async function reset(t: TargetCtx, parts: GptEntry[], keepHome: boolean): Promise<void> {
  t.enter('btrfs');
  if (t.profile.mode !== 'writable') throw new FailureError(`reset needs a writable system; this stick's profile ${t.profile.id} is ${t.profile.mode}`, { key: 'stick-refused', refusal: { reason: 'not-writable', profile: t.profile.id, mode: t.profile.mode } });
  await withIios(t.disk, parts, async (mnt) => {
    const factory = join(mnt, '@snapshots/factory');
    await run('btrfs', ['subvolume', 'show', factory], { signal: t.signal }).catch(() => {
      throw new FailureError('the stick has no @snapshots/factory snapshot to reset to', { key: 'stick-refused', refusal: { reason: 'no-factory' } });
    });
    await run('btrfs', ['subvolume', 'snapshot', factory, join(mnt, '@.iios-new')], { signal: t.signal });
    await mkdir(join(mnt, '@.iios-new/etc'), { recursive: true });
    await writeFile(join(mnt, '@.iios-new/etc/hostname'), `${t.target.hostname}\n`);
    await swapSubvolume(mnt, '@', '@.iios-new', t.signal);
    if (!keepHome) {
      await subvolumeCreate(join(mnt, '@home.iios-new'), { signal: t.signal });
      await run('chmod', ['--reference', join(mnt, '@home'), join(mnt, '@home.iios-new')], { signal: t.signal });
      await swapSubvolume(mnt, '@home', '@home.iios-new', t.signal);
    }
    await run('btrfs', ['filesystem', 'sync', mnt], { signal: t.signal });
    t.log('info', `reset to @snapshots/factory${keepHome ? ', @home kept' : ', @home emptied'}`);
  }, false);
}

export async function runStickJob(rawJob: unknown, emit: Emit, signal: AbortSignal): Promise<TargetResult[]> {
  const parsed = StickJob.safeParse(rawJob);
  if (!parsed.success) {
    emit(invalidJob(parsed.error));
    return [];
  }
  const job = parsed.data;
  const id = job.target.id;
  emit({ kind: 'phase', targetId: id, phase: 'check' });
  let t: TargetCtx;
  let bundle: BundleSource | null = null;
  let stamp: StickStamp | null;
  let parts: GptEntry[];
  // `err`: what refused the stick; its typed failure, else its English detail inside a translated frame
  const fail = (err: unknown): TargetResult[] => {
    const message = `refused before changing anything: ${(err as Error).message}`;
    const failure = refusalFailure(err, signal.aborted);
    const results = [{ targetId: id, ok: false, verified: false, message, failure }];
    emit({ kind: 'target-failed', targetId: id, message, cancelled: signal.aborted, failure });
    emit(refusedJobError(message, results));
    emit({ kind: 'done', results });
    return results;
  };
  try {
    const safety = await stickSafety(job.target);
    if (safety.refusal) return fail(safety.refusal);
    parts = await gptEntries(job.target.path);
    stamp = await readStamp(job.target.path, parts);
    if (job.kind === 'reset' && !stamp?.complete) {
      return fail(new FailureError('the stick is not a complete iios stick (its stamp is missing or incomplete); write or repair it first', { key: 'stick-refused', refusal: { reason: 'incomplete' } }));
    }
    const { profile, plan, b } = await withIios(job.target.path, parts, async (mnt) => {
      const profile = await storedProfile(mnt, stamp?.profile ?? null);
      const b = await storedBundle(mnt, stamp);
      return { profile, b, plan: planMatching(profile, b.manifest, stamp?.diskBytes ?? safety.sizeBytes, parts, stamp?.cacheRoomBytes) };
    });
    bundle = b;
    t = new TargetCtx({ ...job.target, hostname: stamp?.hostname ?? 'iios' }, plan, profile, emit, signal);
  } catch (err) {
    return fail(err);
  }
  try {
    if (job.kind === 'reset') await reset(t, parts, job.keepHome);
    // the bundle is read from the stick's own data partition, mounted read-only while the slots are rewritten
    else {
      const stored = bundle!;
      const at = (mnt: string) => Object.fromEntries(Object.keys(stored.files).map((n) => [n, join(mnt, stored.dir.slice(stored.dir.indexOf('@iios')), n)]));
      const done = await withIios(job.target.path, parts, (mnt) => repairWrite(t, stamp, { ...stored, files: at(mnt) }, t.profile));
      if (done) await repairFinish(t, done);
    }
  } catch (err) {
    t.fail(err);
  }
  const result: TargetResult = t.failure ? { targetId: id, ok: false, verified: false, message: t.failure.message, failure: t.failure.failure } : { targetId: id, ok: true, verified: t.verified };
  if (!t.failure) {
    t.enter('complete');
    emit({ kind: 'target-done', targetId: id, verified: t.verified });
  }
  emit({ kind: 'done', results: [result] });
  return [result];
}
