// One CloneJob, start to end. Before anything is written: the source opened read-only and read (an iios stick
// whose stamp says complete, or any other disk), every target checked with the drive safety rules and planned
// for its own size; one refusal refuses the whole job. Then, for an iios stick: wipe, GPT with fresh GUIDs,
// the ESP from the source's own files, the stamp with complete:false, both slots read once for all targets,
// Btrfs subvolume by subvolume, verify, and the stamp with complete:true and clonedFrom last. Any other disk
// is copied raw up to the end of its last partition, read back against what was read, its GPT moved to the end.
import { randomBytes } from 'node:crypto';
import { open, realpath, rm } from 'node:fs/promises';
import type { TargetResult } from '../../src-shared/job/events.ts';
import type { TargetFailure } from '../../src-shared/job/target-failure.ts';
import { CloneJob } from '../../src-shared/job/clone-job.ts';
import { checkTargetSafety } from '../../src-shared/drives/safety.ts';
import { PlanError, TooSmallError, type PartitionPlan, type PlannedPartition } from '../../src-shared/layout/index.ts';
import { ImageProfileSchema } from '../../src-shared/profile/profile-schema.ts';
import { failureOf, forEachTarget, TargetCtx, type Emit } from '../context.ts';
import { invalidJob, refusedJobError } from '../job-errors.ts';
import { gatherFacts, imageFileFacts, isBlockDevice } from '../check.ts';
import { releaseFolder, type HeldFolder } from '../image-file.ts';
import { finishTargets, releaseTargets } from '../target-results.ts';
import type { ChunkDigests } from '../io/chunk-hash.ts';
import { fanOut } from '../io/fanout.ts';
import { readBackChunks } from '../io/read-back.ts';
import { fileReader } from '../io/reader.ts';
import { run } from '../tools/run.ts';
import { verifyGpt } from '../tools/sgdisk.ts';
import { capacityCheck } from './capacity-check.ts';
import { cloneBtrfsPartition } from './clone-btrfs.ts';
import { cloneEsp, cloneSlots, extractEsp, fanOutRange } from './clone-esp.ts';
import { planClone } from './clone-plan.ts';
import { TargetProblems } from './clone-refusals.ts';
import { openCloneSource, type CloneSource, type IiosSource } from './clone-source.ts';
import { partition } from './partition.ts';
import { PAYLOAD_FAT_LABEL } from './payload.ts';
import { takeBackStamps, TOOL, writeCompleteStamp, writeStamp } from './stamp.ts';
import { verifyTarget } from './verify.ts';
import { waitForTestGate } from './verify-support.ts';
import { wipe } from './wipe.ts';
import { withLoop } from '../tools/losetup.ts';

const RAW_PROFILE = ImageProfileSchema.parse({
  format: 1,
  id: 'raw',
  title: 'Disk image',
  description: 'raw clone',
  mode: 'raw',
  raw: { imageTypes: ['img'], compressions: [], persistence: { enabled: false, filesystem: 'ext4', size: 'grow', minSize: '256MiB' } },
});

function rawPlan(diskBytes: number, neededBytes: number): PartitionPlan {
  return { profileId: 'raw', diskBytes, sectorSize: 512, alignmentBytes: 1024 * 1024, firstUsableLba: 0, lastUsableLba: Math.floor(diskBytes / 512) - 1, neededBytes, partitions: [] };
}

/** A refused target's English sentence and typed failure. */
interface Said {
  message: string;
  failure: TargetFailure;
}

interface Planned {
  /** The target as it is written: a device by its kernel name, an image file in its real folder. */
  target: CloneJob['targets'][number];
  plan: PartitionPlan;
  /** An image file's folder, held open since it was checked (image-file.ts): the image is made only through it. */
  folder: HeldFolder | null;
}

async function planTargets(job: CloneJob, src: CloneSource): Promise<{ planned: Planned[]; refusals: Map<string, Said> }> {
  const facts = await gatherFacts([src.path]);
  const refusals = new Map<string, Said>();
  const planned: Planned[] = [];
  for (const given of job.targets) {
    const file = given.kind === 'image-file' ? await imageFileFacts(given.path) : null;
    const t = file ? { ...given, path: file.path } : { ...given, path: await realpath(given.path).catch(() => given.path) };
    const problems = new TargetProblems(given.path);
    if (t.path === src.path) problems.add(`${given.path} is the clone's source; the source is never written`, { reason: 'target-is-source', target: given.path });
    if (t.kind === 'device' && !(await isBlockDevice(t.path))) problems.add(`${t.path} is not a block device`, { reason: 'target-not-block', target: t.path });
    if (file && !file.folderExists) problems.add(`the folder of ${given.path} does not exist; create it first`, { reason: 'target-no-folder', target: given.path });
    if (t.kind === 'device' && facts.loopBacking.get(t.path) === src.path) problems.add(`${t.path} is a loop over the clone's source`, { reason: 'target-loop-of-source', target: t.path });
    const probe = checkTargetSafety(t, 0, facts, { unmountIfMounted: false });
    const sizeBytes = t.kind === 'device' ? probe.sizeBytes : t.sizeBytes;
    let plan: PartitionPlan | null = null;
    try {
      if (src.iios) plan = planClone(src.iios, sizeBytes, probe.sectorSize === 4096 ? 4096 : 512);
      else if (sizeBytes < src.usedEnd) throw new TooSmallError('raw', sizeBytes, src.usedEnd);
      else plan = rawPlan(sizeBytes, src.usedEnd);
    } catch (err) {
      const text = `${t.path}: ${(err as Error).message}${src.iios ? ` to clone "${src.iios.stamp.hostname}"` : ' to clone the source raw'}`;
      const source = src.iios ? src.iios.stamp.hostname : null;
      problems.add(
        text,
        err instanceof TooSmallError
          ? { reason: 'target-too-small', target: t.path, sizeBytes: err.targetBytes, neededBytes: err.neededBytes, source }
          : err instanceof PlanError && err.problem
            ? { reason: 'target-plan', target: t.path, problem: err.problem }
            : null,
      );
    }
    for (const p of probe.problems) problems.addRule(p.message, p.code);
    if (problems.count || !plan) {
      refusals.set(t.id, problems.said());
      if (file?.folder) releaseFolder(file.folder);
    } else planned.push({ target: t, plan, folder: file?.folder ?? null });
  }
  return { planned, refusals };
}

function cloneStamp(t: TargetCtx, iios: IiosSource, complete: boolean, createdAt: string): Record<string, unknown> {
  const s = iios.stamp;
  return {
    format: 1,
    complete,
    hostname: t.target.hostname,
    profile: s.profile,
    tool: TOOL,
    createdAt,
    diskBytes: t.plan.diskBytes,
    sectorSize: t.plan.sectorSize,
    slots: s.slots,
    caches: s.caches,
    payload: s.payload,
    espFiles: s.espFiles,
    clonedFrom: { name: s.hostname, stampSha256: iios.stampSha256 },
    // the room kept for the content before the slots grew: a repair re-plans the clone's layout with it
    ...(t.plan.slotRoom?.cacheRoomBytes ? { cacheRoomBytes: t.plan.slotRoom.cacheRoomBytes } : {}),
  };
}

/**
 * The payload's filesystem came over byte for byte: it gets its own identifier. tune2fs changes the UUID of a
 * metadata_csum ext4 only when the filesystem was checked after it was last mounted (else it exits 1, asking for
 * e2fsck -f; mkfs and the write's mount often fall in one second, so a source could pass or not by chance): the
 * clone's copy is checked first (-p: a journal left by a stick pulled while mounted is replayed, on the copy only).
 * A FAT payload gets a new volume serial, its label kept.
 */
async function freshPayloadId(t: TargetCtx, pay: PlannedPartition): Promise<void> {
  const signal = t.signal;
  if (pay.filesystem === 'vfat') {
    await run('mlabel', ['-i', `${t.disk}@@${pay.startBytes}`, '-N', randomBytes(4).toString('hex'), `::${PAYLOAD_FAT_LABEL}`], { signal, env: { MTOOLS_SKIP_CHECK: '1' } });
    return;
  }
  await withLoop(
    t.disk,
    pay.startBytes,
    pay.sizeBytes,
    async (dev) => {
      const fsck = await run('e2fsck', ['-f', '-p', dev], { signal, okExitCodes: [0, 1] });
      if (fsck.exitCode === 1) t.log('warn', `the payload filesystem needed repairs on the copy (the source's was not cleanly unmounted): ${fsck.stdout.trim()}`);
      await run('tune2fs', ['-U', 'random', dev], { signal });
    },
    { signal },
  );
}

async function cloneIios(job: CloneJob, targets: TargetCtx[], src: CloneSource, iios: IiosSource, signal: AbortSignal): Promise<void> {
  const createdAt = new Date().toISOString();
  const espDir = await extractEsp(src, signal);
  try {
    await forEachTarget(targets, async (t) => {
      // A counterfeit stick is found before anything of the clone goes onto it (as in a write).
      if (job.capacityCheck) await capacityCheck(t);
      await wipe(t);
      await partition(t);
      await cloneEsp(t, espDir);
      t.enter('stamp');
      await writeStamp(t, cloneStamp(t, iios, false, createdAt));
    });
  } finally {
    await rm(espDir, { recursive: true, force: true });
  }
  try {
    await cloneSlots(targets, src, iios, signal);
    const payload = src.partitions.find((p) => p.name === 'iios-payload');
    if (payload) {
      for (const t of targets) if (t.alive) t.enter('payload');
      await fanOutRange(targets, src, payload.startBytes, payload.sizeBytes, 'payload', signal);
    }
  } catch (err) {
    for (const t of targets) t.fail(err);
  }
  await forEachTarget(targets, async (t) => {
    const pay = t.part('payload');
    if (pay) await freshPayloadId(t, pay);
    for (const b of iios.btrfs) {
      t.enter('btrfs');
      await cloneBtrfsPartition(t, t.plan.partitions.find((p) => p.name === b.part.name)!, b, { fresh: job.fresh });
    }
    const slot = iios.stamp.slots.a ?? Object.values(iios.stamp.slots)[0]!;
    if (job.verify) {
      // each slot against what the stamp says it holds: after an update slot B holds another bundle than slot A
      const slots = Object.fromEntries(
        (['a', 'b'] as const).flatMap((k) => {
          const own = iios.stamp.slots[k];
          return own ? [[k, { rootfsBytes: own.rootfsBytes, rootfsSha256: own.rootfsSha256, rootHash: own.rootHash }]] : [];
        }),
      );
      await verifyTarget(t, {
        rootfsBytes: slot.rootfsBytes,
        rootfsSha256: slot.rootfsSha256,
        rootHash: slot.rootHash,
        slots,
        espFiles: iios.stamp.espFiles,
        caches: iios.stamp.caches,
        // the payload partition came over byte for byte: its files against the manifest the stamp keeps
        payload: t.part('payload') ? iios.stamp.payload : [],
      });
      t.verified = true;
    }
    await writeCompleteStamp(t, cloneStamp(t, iios, true, createdAt));
  });
}

async function hasGptHeader(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(8);
    await fh.read(b, 0, 8, 512);
    return b.toString('latin1') === 'EFI PART';
  } finally {
    await fh.close();
  }
}

async function cloneRaw(job: CloneJob, targets: TargetCtx[], src: CloneSource, signal: AbortSignal): Promise<void> {
  await forEachTarget(targets, async (t) => {
    if (job.capacityCheck) await capacityCheck(t);
    await wipe(t);
  });
  const live = targets.filter((t) => t.alive);
  const bytes = src.usedEnd;
  for (const t of live) t.enter('slots');
  let written: ChunkDigests | null = null;
  const reader = await fileReader(src.loop, bytes);
  try {
    written = (await fanOut(reader, bytes, live.map((t) => ({ ctx: t, offsets: [0], onProgress: (n) => t.progress(n, bytes, n >= bytes) })), signal)).chunks;
  } catch (err) {
    for (const t of live) t.fail(err);
  } finally {
    await reader.close();
  }
  await forEachTarget(live, async (t) => {
    if (job.verify && written) {
      t.enter('verify');
      await waitForTestGate(t.id, t.signal);
      await readBackChunks(t, 0, written, (n) => t.progress(n, bytes));
      t.verified = true;
    }
    if (src.table === 'gpt' && (await hasGptHeader(t.disk))) {
      t.enter('partition');
      await run('sgdisk', ['-e', t.disk], { signal: t.signal });
      await verifyGpt(t.disk, { signal: t.signal });
    }
  });
}

/** `why`: the refusal's own English detail (a source that cannot be cloned), said inside a translated frame. */
function refuseAll(job: CloneJob, emit: Emit, perTarget: Map<string, Said>, message: string, cancelled: boolean, why: TargetFailure = { key: 'refused-text', text: message }): TargetResult[] {
  const results = job.targets.map((t) => {
    const own = perTarget.get(t.id);
    const msg = own?.message ?? (perTarget.size ? 'not written: another target of this job was refused' : message);
    const failure: TargetFailure = cancelled ? { key: 'cancelled-before' } : own ? own.failure : perTarget.size ? { key: 'other-refused' } : why;
    emit({ kind: 'target-failed', targetId: t.id, message: msg, cancelled, failure });
    return { targetId: t.id, ok: false, verified: false, message: msg, failure };
  });
  emit(refusedJobError(message, results));
  emit({ kind: 'done', results });
  return results;
}

export async function runCloneJob(rawJob: unknown, emit: Emit, signal: AbortSignal): Promise<TargetResult[]> {
  const parsed = CloneJob.safeParse(rawJob);
  if (!parsed.success) {
    emit(invalidJob(parsed.error));
    return [];
  }
  const job = parsed.data;
  for (const t of job.targets) emit({ kind: 'phase', targetId: t.id, phase: 'check' });
  let src: CloneSource;
  try {
    src = await openCloneSource(job.sourcePath, signal);
  } catch (err) {
    const text = (err as Error).message;
    return refuseAll(job, emit, new Map(), `refused before writing anything: ${text}`, signal.aborted, failureOf(err) ?? { key: 'refused-text', text });
  }
  try {
    emit({ kind: 'log', level: 'info', message: src.iios ? `source: iios stick "${src.iios.stamp.hostname}" (${src.iios.profile.id})` : `source: not an iios stick; raw clone of ${src.usedEnd} bytes` });
    const { planned, refusals } = await planTargets(job, src);
    if (refusals.size) {
      for (const p of planned) releaseFolder(p.folder);
      return refuseAll(job, emit, refusals, `refused before writing anything: ${[...refusals].map(([id, m]) => `${id}: ${m.message}`).join('; ')}`, false);
    }
    const profile = src.iios?.profile ?? RAW_PROFILE;
    const targets = planned.map((p) => new TargetCtx(p.target, p.plan, profile, emit, signal, p.folder));
    try {
      if (src.iios) await cloneIios(job, targets, src, src.iios, signal);
      else await cloneRaw(job, targets, src, signal);
    } finally {
      await takeBackStamps(targets);
      await releaseTargets(targets);
    }
    return finishTargets(targets, emit, signal);
  } finally {
    await src.close();
  }
}
