// One WriteJob, start to end: validate, prepare (source + safety + plans), then the steps in order with
// one read of the source for all targets. Every target ends as target-done or target-failed; the job ends
// with `done` (or `error` when it was refused before anything was written).
import { readlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import * as z from 'zod';
import type { TargetResult } from '../src-shared/job/events.ts';
import type { TargetFailure } from '../src-shared/job/target-failure.ts';
import { WriteJob } from '../src-shared/job/write-job.ts';
import { FALLBACK_LOCALE, setLocale } from '../src-shared/i18n/index.ts';
import { deviceGone, forEachTarget, TargetCtx, type Emit } from './context.ts';
import { finishTargets, releaseTargets, reportDone } from './target-results.ts';
import { prepare, RefusedError, type Prepared } from './prepare.ts';
import { writeRaw } from './raw.ts';
import type { BundleSource, Source } from './source.ts';
import { btrfs, cachesPartition } from './steps/btrfs.ts';
import { cacheStamps } from './steps/caches.ts';
import { esp } from './steps/esp.ts';
import { espStore } from './steps/esp-store.ts';
import { partition } from './steps/partition.ts';
import { payload } from './steps/payload.ts';
import { writeSlots } from './steps/slots.ts';
import { stampObject, takeBackStamps, writeCompleteStamp, writeStamp, type SlotStamp } from './steps/stamp.ts';
import { verifyTarget } from './steps/verify.ts';
import { capacityCheck } from './steps/capacity-check.ts';
import { wipe } from './steps/wipe.ts';
import { setCommandLog } from './tools/command-log.ts';
import { umount } from './tools/mount.ts';
import { run } from './tools/run.ts';
import { busyFacts } from './check.ts';
import { busyVerdict } from '../src-shared/drives/busy.ts';
import { allMountpoints } from '../src-shared/drives/safety.ts';
import { parseLsblk } from '../src-shared/drives/inventory.ts';
import { profileSlots } from '../src-shared/profile/image-profile.ts';
import { recordLoopRanges, releaseOwnLeftovers, type LoopRange } from './workdir.ts';

function realpathOrSelf(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return path;
  }
}

/** After unmounting and detaching: the same rules again on fresh facts; anything left fails the target. */
async function stillBusy(t: TargetCtx): Promise<void> {
  // A detached loop goes away once its last user lets go: give the kernel a moment.
  await new Promise((r) => setTimeout(r, 300));
  const devices = parseLsblk((await run('lsblk', ['--json', '-b', '-O', '--paths'])).stdout);
  const busy = busyVerdict(t.target.path, busyFacts(t.target, devices), { unmountIfMounted: false });
  const own = devices.find((d) => d.name === t.target.path);
  const mounts = own ? allMountpoints(own) : [];
  if (busy.problems.length || mounts.length) throw new Error(`still in use after unmounting: ${[...busy.problems.map((p) => p.message), ...mounts].join('; ')}`);
}

/** Every range the job may attach a loop over: each planned partition of each target, the rootfs image. */
function loopRanges(targets: TargetCtx[], source: Source): LoopRange[] {
  const out: LoopRange[] = [];
  for (const t of targets) {
    if (t.target.kind !== 'device') continue;
    for (const p of t.plan.partitions) out.push({ backing: t.target.path, offset: p.startBytes, sizeBytes: p.sizeBytes });
  }
  if (source.kind === 'bundle') {
    const m = source.manifest;
    const image = source.files[m.rootfs.file];
    // losetup records the file's real path (it resolves the /proc/<pid>/fd/<n> it is given).
    if (image) out.push({ backing: realpathOrSelf(image), offset: 0, sizeBytes: m.rootfs.sizeBytes });
  }
  return out;
}

function slotStamps(t: TargetCtx, bundle: BundleSource): Record<string, SlotStamp> {
  const m = bundle.manifest;
  const one: SlotStamp = {
    bundle: m.name,
    version: m.version,
    rootHash: m.verity?.rootHash ?? null,
    rootfsSha256: m.files[m.rootfs.file]!.sha256,
    rootfsBytes: m.rootfs.sizeBytes,
  };
  return Object.fromEntries(profileSlots(t.profile).map((s) => [s, { ...one }]));
}

async function writeBundle(job: WriteJob, targets: TargetCtx[], prepared: Prepared, bundle: BundleSource, signal: AbortSignal) {
  const payloadIn = prepared.payload;
  const caches = prepared.caches;
  const m = bundle.manifest;
  const createdAt = new Date().toISOString();
  const espSha = new Map<string, Record<string, string>>();
  const payloadOut = payloadIn.map(({ path, sha256, sizeBytes }) => ({ path, sha256, sizeBytes }));
  const stampInit = (t: TargetCtx) => ({
    profile: job.profile.id,
    hostname: t.target.hostname,
    diskBytes: t.plan.diskBytes,
    sectorSize: t.plan.sectorSize,
    slots: slotStamps(t, bundle),
    payload: t.part('payload') ? payloadOut : [],
    caches: cachesPartition(t) ? cacheStamps(caches) : [],
    espFiles: espSha.get(t.id) ?? {},
  });

  await forEachTarget(targets, async (t) => {
    // A counterfeit stick is found before anything of the system goes onto it.
    if (job.capacityCheck) await capacityCheck(t);
    await wipe(t);
    await partition(t);
    // a stick with no @iios keeps its profile and manifest on the ESP: what a clone re-plans it from
    espSha.set(t.id, { ...(await esp(t, bundle)), ...(await espStore(t, bundle)) });
    t.enter('stamp');
    await writeStamp(t, stampObject(stampInit(t), false, createdAt));
  });
  try {
    await writeSlots(targets, bundle, signal);
  } catch (err) {
    for (const t of targets) t.fail(err);
  }
  await forEachTarget(targets, async (t) => {
    if (caches.length && !cachesPartition(t)) t.log('warn', `the ${job.profile.id} profile has no @caches subvolume; caches are not copied`);
    await btrfs(t, bundle, caches);
    await payload(t, payloadIn);
    if (job.verify) {
      await verifyTarget(t, {
        rootfsBytes: m.rootfs.sizeBytes,
        rootfsSha256: m.files[m.rootfs.file]!.sha256,
        rootHash: m.verity?.rootHash ?? null,
        espFiles: espSha.get(t.id) ?? {},
        caches: cachesPartition(t) ? caches : [],
        payload: t.part('payload') ? payloadOut : [],
        rootfsPath: bundle.files[m.rootfs.file],
      });
      t.verified = true;
    }
    // Last: complete:true, read back — never on a target that failed or whose device went away meanwhile.
    if (!t.alive || deviceGone(t)) throw new Error('device gone');
    await writeCompleteStamp(t, stampObject(stampInit(t), true, createdAt));
    reportDone(t);
  });
}

export async function runJob(rawJob: unknown, emit: Emit, signal: AbortSignal): Promise<TargetResult[]> {
  const parsed = WriteJob.safeParse(rawJob);
  if (!parsed.success) {
    emit({ kind: 'error', message: `the job is not valid: ${z.prettifyError(parsed.error)}` });
    return [];
  }
  const job = parsed.data;
  // What the helper words for the user (the capacity check's verdict) in the app's language.
  setLocale(job.locale ?? FALLBACK_LOCALE);
  // Every command line this job runs goes to its log (the app writes the file).
  setCommandLog(emit);
  let prepared;
  try {
    prepared = await prepare(job, emit, signal);
  } catch (err) {
    const message = signal.aborted ? 'cancelled before anything was written' : err instanceof Error ? err.message : String(err);
    const results = job.targets.map((t) => {
      const own = err instanceof RefusedError ? err.perTarget.get(t.id) : undefined;
      const msg = own ?? (err instanceof RefusedError ? 'not written: another target of this job was refused' : message);
      const failure: TargetFailure = signal.aborted
        ? { key: 'cancelled-before' }
        : err instanceof RefusedError
          ? (err.perTargetFailure.get(t.id) ?? (own ? { key: 'refused-text', text: own } : { key: 'other-refused' }))
          : { key: 'refused-text', text: message };
      emit({ kind: 'target-failed', targetId: t.id, message: msg, cancelled: signal.aborted, failure });
      return { targetId: t.id, ok: false, verified: false, message: msg, failure };
    });
    emit({ kind: 'error', message });
    emit({ kind: 'done', results });
    return results;
  }
  // A stick pulled during the check fails alone; the others are written.
  const gone = prepared.gone.map(({ target, message }) => {
    const failure = { key: 'removed', phase: 'check' } as const;
    emit({ kind: 'target-failed', targetId: target.id, message, cancelled: false, failure });
    return { targetId: target.id, ok: false, verified: false, message, failure };
  });
  const targets = prepared.targets.map((p) => new TargetCtx(p.target, p.plan, job.profile, emit, signal, p.folder));
  // Written before the first loop is attached: a helper killed mid-job is cleaned up by the next (workdir.ts).
  recordLoopRanges(loopRanges(targets, prepared.source));
  // A device that vanishes (a stick pulled, a loop detached) fails its target at once, stopping its tools.
  const watch = setInterval(() => {
    for (const t of targets) if (t.alive && deviceGone(t)) t.fail(new Error('device gone'));
  }, 500);
  // Hold every device target open for the whole job: a loop device detached under us then lingers (and is
  // seen as gone) instead of being freed, so its number cannot be reused for another device mid-job.
  const holds: FileHandle[] = [];
  try {
    for (const t of targets) if (t.target.kind === 'device') holds.push(await open(t.disk, 'r'));
    await forEachTarget(targets, async (t) => {
      const p = prepared.targets.find((x) => x.plan === t.plan)!;
      for (const m of p.unmount) {
        t.log('info', `unmounting ${m}`);
        await umount(m);
      }
      for (const dev of p.detach) {
        t.log('info', `detaching ${dev}, a loop device over ${t.target.path}`);
        await run('losetup', ['-d', dev], { signal: t.signal });
      }
      if (p.unmount.length || p.detach.length) await stillBusy(t);
    });
    if (prepared.source.kind === 'bundle') await writeBundle(job, targets, prepared, prepared.source, signal);
    else await writeRaw(job, targets, prepared.source, signal);
  } finally {
    clearInterval(watch);
    // While the targets are still held (a detached loop lingers): a failed one must not read complete.
    await takeBackStamps(targets);
    for (const h of holds) await h.close().catch(() => undefined);
    await releaseTargets(targets);
    for (const line of await releaseOwnLeftovers().catch((err: unknown) => [`could not check for leftover loops: ${(err as Error).message}`])) {
      emit({ kind: 'log', level: 'warn', message: line });
    }
    await prepared.cleanup().catch(() => undefined);
  }

  return finishTargets(targets, emit, signal, gone, job.targets.map((t) => t.id));
}
