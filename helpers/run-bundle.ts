// A bundle profile's write, step by step (wipe, partition, ESP, slots, Btrfs, payload, verify, stamp), for every
// target of a WriteJob that prepare() accepted. Its own module, loaded only for a bundle job: a raw job's
// helper never loads the Btrfs, ESP, cache or verity code (run-job.ts imports it when it is needed).
import type { WriteJob } from '../src-shared/job/write-job.ts';
import { profileSlots } from '../src-shared/profile/profile-schema.ts';
import { deviceGone, forEachTarget, type TargetCtx } from './context.ts';
import type { Prepared } from './prepare.ts';
import type { BundleSource } from './source.ts';
import { btrfs, cachesPartition } from './steps/btrfs.ts';
import { cacheStamps } from './steps/caches.ts';
import { capacityCheck } from './steps/capacity-check.ts';
import { esp } from './steps/esp.ts';
import { espStore } from './steps/esp-store.ts';
import { partition } from './steps/partition.ts';
import { payload } from './steps/payload.ts';
import { writeSlots } from './steps/slots.ts';
import { stampObject, writeCompleteStamp, writeStamp, type SlotStamp } from './steps/stamp.ts';
import { verifyTarget } from './steps/verify.ts';
import { wipe } from './steps/wipe.ts';
import { reportDone } from './target-results.ts';

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

export async function writeBundle(job: WriteJob, targets: TargetCtx[], prepared: Prepared, bundle: BundleSource, signal: AbortSignal) {
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
    ...(t.plan.slotRoom?.cacheRoomBytes ? { cacheRoomBytes: t.plan.slotRoom.cacheRoomBytes } : {}),
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

