// What a write job will do to each target, phase by phase in the helper's order, and how much work each phase
// carries: the bytes it moves (known from the job: the bundle's files, the root image per slot, the read-back)
// plus a fixed cost for what moves few bytes but takes its time (mkfs, sgdisk, veritysetup, btrfs check).
// The overall fraction of a target is the work of the phases behind it over the work of all of them, so
// the bar of a write whose slots are gigabytes is mostly the slots, and a tiny demo bundle's mostly mkfs.
import * as z from 'zod';
import { Phase } from '../job/events.ts';
import type { WriteJob } from '../job/write-job.ts';
import { profileSlots } from '../profile/profile-schema.ts';

/** Work is counted in bytes written to the stick; other costs are converted at this nominal write speed. */
export const NOMINAL_WRITE_BPS = 20_000_000;
const seconds = (s: number) => s * NOMINAL_WRITE_BPS;

/**
 * What a byte costs, relative to a byte written to the stick: sticks read several times faster than they write,
 * and the check hashes the bundle on the computer's own disk.
 */
export const BYTE_COST = { write: 1, readBack: 0.5, checkSource: 0.2 } as const;

/**
 * The fixed cost of each phase (measured on image files and loop devices: mkfs.btrfs with its subvolumes and
 * snapshots about 2 s, the read-back's veritysetup and btrfs check about 4 s).
 */
const FIXED: Record<Phase, number> = {
  check: seconds(1),
  capacity: seconds(1),
  wipe: seconds(0.5),
  partition: seconds(1.5),
  esp: seconds(1),
  stamp: seconds(0.5),
  slots: 0,
  verity: 0,
  btrfs: seconds(2),
  caches: seconds(0.5),
  payload: seconds(1),
  verify: seconds(4),
  complete: 0,
};

/** Before the helper counts it: an unpacked squashfs is about three times the image (see the classroom profile). */
const SQUASHFS_UNPACK_FACTOR = 3;
/** Before the helper reports a raw image's size (the job names the file only). */
const UNKNOWN_IMAGE_BYTES = 1024 ** 3;
/** Before the helper reports them (the job names the folders only). */
const UNKNOWN_CACHE_BYTES = 64 * 1024 ** 2;
const UNKNOWN_PAYLOAD_BYTES = 1024 ** 2;
/** A 16–64 GB stick's capacity check: 64 MiB whole and ~1000 blocks of 64 KiB, written and read (drives/capacity-probe.ts). */
const UNKNOWN_CAPACITY_CHECK_BYTES = 2 * 128 * 1024 ** 2;

export const PhaseStep = z.object({
  phase: Phase,
  /** Work that is done only when the phase ends (tools that report nothing). */
  fixed: z.number().nonnegative(),
  /** Bytes the phase moves; the helper's byte counts in this phase fill them. */
  bytes: z.number().nonnegative(),
  /** Work per byte (BYTE_COST). */
  cost: z.number().nonnegative(),
  /** Whether `bytes` is what the helper reported, or still the estimate from the job. */
  known: z.boolean(),
  /** A later step that reads back what an earlier one wrote: its bytes follow that step's once reported. */
  bytesOf: z.number().int().nonnegative().optional(),
});
export type PhaseStep = z.infer<typeof PhaseStep>;

export type WorkInput = Pick<WriteJob, 'profile' | 'verify'> &
  Partial<Pick<WriteJob, 'manifest' | 'persistence' | 'imagePath' | 'capacityCheck'>> & { payload?: readonly unknown[]; caches?: readonly unknown[] };

export function stepWork(s: PhaseStep): number {
  return s.fixed + s.bytes * s.cost;
}

function step(phase: Phase, bytes = 0, cost: number = BYTE_COST.write, known = true): PhaseStep {
  return { phase, fixed: FIXED[phase], bytes, cost, known };
}

/** The phases the helper goes through for one target of this job, in its order (helpers/run-job.ts, raw.ts). */
export function planTargetWork(job: WorkInput): PhaseStep[] {
  const profile = job.profile;
  // The capacity check writes its blocks and reads them back (the helper reports how many for the stick's size).
  const capacity = job.capacityCheck ? [step('capacity', UNKNOWN_CAPACITY_CHECK_BYTES, BYTE_COST.write, false)] : [];
  if (profile.mode === 'raw') {
    const steps = [step('check'), ...capacity, step('wipe'), step('slots', UNKNOWN_IMAGE_BYTES, BYTE_COST.write, false)];
    if (job.verify) steps.push({ ...step('verify', UNKNOWN_IMAGE_BYTES, BYTE_COST.readBack, false), bytesOf: steps.length - 1 });
    if (job.persistence ?? profile.raw?.persistence.enabled ?? false) steps.push(step('partition'), step('btrfs'));
    return [...steps, step('complete')];
  }
  const m = job.manifest ?? null;
  const bundleBytes = m ? Object.values(m.files).reduce((s, f) => s + f.sizeBytes, 0) : 0;
  const roles = new Set(profile.partitions.map((p) => p.role));
  const slots = profileSlots(profile);
  const abSlots = slots.filter((s) => s !== 'system').length;
  const rootBytes = m?.rootfs.sizeBytes ?? 0;
  const bootBytes = m ? (m.files[m.kernel]?.sizeBytes ?? 0) + (m.files[m.initrd]?.sizeBytes ?? 0) : 0;
  const caches = job.caches?.length ?? 0;
  const withCaches = caches > 0 && profile.partitions.some((p) => p.btrfs?.subvolumes.includes('@caches'));

  const steps: PhaseStep[] = [
    step('check', bundleBytes, BYTE_COST.checkSource),
    ...capacity,
    step('wipe'),
    step('partition'),
    step('esp', bootBytes * Math.max(1, slots.length)),
    step('stamp'),
  ];
  if (abSlots > 0) {
    steps.push(step('slots', rootBytes * abSlots));
    if (m?.verity && roles.has('verity-a')) steps.push(step('verity', m.verity.sizeBytes * abSlots));
  }
  for (const p of profile.partitions) {
    if ((p.role !== 'system' && p.role !== 'data') || p.filesystem === 'vfat') continue;
    const subvolumes = p.btrfs?.subvolumes ?? [];
    let bytes = 0;
    let known = true;
    if (p.role === 'system' && m) {
      known = m.rootfs.kind !== 'squashfs';
      bytes = known ? rootBytes : rootBytes * SQUASHFS_UNPACK_FACTOR;
    }
    if (p.role === 'data' && subvolumes.includes('@iios')) bytes += bundleBytes;
    steps.push(step('btrfs', bytes, BYTE_COST.write, known));
    if (subvolumes.includes('@caches') && caches > 0) steps.push(step('caches', UNKNOWN_CACHE_BYTES * caches, BYTE_COST.write, false));
  }
  if (roles.has('payload')) steps.push(step('payload', UNKNOWN_PAYLOAD_BYTES * (job.payload?.length ?? 0), BYTE_COST.write, false));
  if (job.verify) {
    const readBack = rootBytes * abSlots + (withCaches ? UNKNOWN_CACHE_BYTES * caches : 0);
    steps.push(step('verify', readBack, BYTE_COST.readBack, !withCaches));
  }
  return [...steps, step('stamp'), step('complete')];
}

/**
 * The phases of a job on a stick as the source or the target itself (clone, repair, reset). Their bytes are not
 * known before the helper reads the source stick, so each starts unknown and is learnt from the helper's counts.
 */
export function planStickJobWork(kind: 'clone' | 'repair' | 'reset' | 'update' | 'payload', verify = true, capacityCheck = false): PhaseStep[] {
  const unknown = (phase: Phase) => step(phase, 0, BYTE_COST.write, false);
  const tail = verify ? [step('verify'), step('complete')] : [step('complete')];
  if (kind === 'reset') return [step('check'), step('btrfs'), step('complete')];
  if (kind === 'payload') return [step('check'), step('payload'), step('complete')];
  if (kind === 'update') return [step('check'), step('esp'), unknown('slots'), unknown('verity'), step('btrfs'), step('verify'), step('stamp'), step('complete')];
  if (kind === 'repair') return [step('check'), step('esp'), unknown('slots'), step('verity'), step('stamp'), ...tail];
  // A clone checks a stick's capacity as a write does, before the wipe.
  const capacity = capacityCheck ? [step('capacity', UNKNOWN_CAPACITY_CHECK_BYTES, BYTE_COST.write, false)] : [];
  return [step('check'), ...capacity, step('wipe'), step('partition'), step('esp'), step('stamp'), unknown('slots'), step('verity'), unknown('btrfs'), ...tail];
}
