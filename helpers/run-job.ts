// One WriteJob, start to end: validate, prepare (source + safety + plans), then the steps in order with
// one read of the source for all targets. Every target ends as target-done or target-failed; the job ends
// with `done` (or `error` when it was refused before anything was written).
import { readlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { TargetResult } from '../src-shared/job/events.ts';
import type { TargetFailure } from '../src-shared/job/target-failure.ts';
import { WriteJob } from '../src-shared/job/write-job.ts';
import { FALLBACK_LOCALE, setLocale } from '../src-shared/i18n/index.ts';
import { deviceGone, forEachTarget, TargetCtx, type Emit } from './context.ts';
import { invalidJob, refusedJobError } from './job-errors.ts';
import { finishTargets, releaseTargets } from './target-results.ts';
import { prepare, RefusedError } from './prepare.ts';
import type { Source } from './source.ts';
import { setCommandLog } from './tools/command-log.ts';
import { umount } from './tools/mount.ts';
import { run } from './tools/run.ts';
import { busyFacts } from './check.ts';
import { busyVerdict } from '../src-shared/drives/busy.ts';
import { allMountpoints } from '../src-shared/drives/safety.ts';
import { parseLsblk } from '../src-shared/drives/inventory.ts';
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

export async function runJob(rawJob: unknown, emit: Emit, signal: AbortSignal): Promise<TargetResult[]> {
  const parsed = WriteJob.safeParse(rawJob);
  if (!parsed.success) {
    emit(invalidJob(parsed.error));
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
    emit(refusedJobError(message, results));
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
    // Each kind loads only its own steps (a raw job never compiles the Btrfs, ESP or verity code).
    if (prepared.source.kind === 'bundle') await (await import('./run-bundle.ts')).writeBundle(job, targets, prepared, prepared.source, signal);
    else await (await import('./raw.ts')).writeRaw(job, targets, prepared.source, signal);
  } finally {
    clearInterval(watch);
    // While the targets are still held (a detached loop lingers): a failed one must not read complete.
    // (Only a target that got a stamp can need it taken back: a raw job never loads the stamp code.)
    if (targets.some((t) => t.incompleteStamp)) await (await import('./steps/stamp.ts')).takeBackStamps(targets);
    for (const h of holds) await h.close().catch(() => undefined);
    await releaseTargets(targets);
    for (const line of await releaseOwnLeftovers().catch((err: unknown) => [`could not check for leftover loops: ${(err as Error).message}`])) {
      emit({ kind: 'log', level: 'warn', message: line });
    }
    await prepared.cleanup().catch(() => undefined);
  }

  return finishTargets(targets, emit, signal, gone, job.targets.map((t) => t.id));
}
