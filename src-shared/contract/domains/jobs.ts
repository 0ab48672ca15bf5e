// Domain "jobs": writing sticks (one job at a time, many targets), its pushed events, and the offline caches
// a job can put on a stick.
import { z } from 'zod';
import { event, invoke, noArgs } from '../define.ts';
import { JobEvent, Phase } from '../../job/events.ts';

export const WriteRequestSchema = z.strictObject({
  profileId: z.string().min(1),
  /** An iios bundle directory (A/B and writable profiles) … */
  bundleDir: z.string().startsWith('/').optional(),
  /** … or a disk image (raw profile). */
  imagePath: z.string().startsWith('/').optional(),
  /** Block devices (/dev/…) or image files; sizeBytes creates an image file of that size. */
  targets: z.array(z.strictObject({ path: z.string().startsWith('/'), sizeBytes: z.number().int().positive().optional() })).min(1).max(64),
  /** `class-{nn}` → class-01, class-02 … */
  namePattern: z.string().max(63).optional(),
  firstNumber: z.number().int().min(0).optional(),
  payload: z.array(z.string().startsWith('/')).optional(),
  caches: z.array(z.strictObject({ kind: z.string().min(1), path: z.string().startsWith('/') })).optional(),
  unmountIfMounted: z.boolean().optional(),
  verify: z.boolean().optional(),
  /** Raw profile: add the persistence partition after the image. */
  persistence: z.boolean().optional(),
});
export type WriteRequestArgs = z.infer<typeof WriteRequestSchema>;

export const TargetStateSchema = z.object({
  id: z.string(),
  path: z.string(),
  hostname: z.string(),
  status: z.enum(['pending', 'running', 'done', 'failed']),
  phase: Phase.nullable(),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  speedBps: z.number(),
  etaSeconds: z.number().nullable(),
  verified: z.boolean(),
  cancelled: z.boolean(),
  message: z.string().nullable(),
});

export const JobSnapshotSchema = z.object({
  jobId: z.string(),
  status: z.enum(['starting', 'running', 'cancelling', 'done', 'failed', 'cancelled']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  targets: z.array(TargetStateSchema),
  error: z.string().nullable(),
  results: z.array(z.object({ targetId: z.string(), ok: z.boolean(), verified: z.boolean(), message: z.string().optional() })).nullable(),
  /** The job's log file (every command line it ran), when the app keeps one. */
  logPath: z.string().optional(),
});

export const StartedJob = z.object({
  jobId: z.string(),
  targets: z.array(z.object({ id: z.string(), path: z.string(), kind: z.enum(['device', 'image-file']), sizeBytes: z.number(), hostname: z.string() })),
});

export const CacheEntry = z.object({ kind: z.string(), path: z.string(), sizeBytes: z.number().int().nonnegative(), files: z.number().int().nonnegative() });

export const jobsInvoke = {
  /** Validates the request, plans every target (too small → refused), starts the helper; refused while a job runs. */
  'jobs.start': invoke(WriteRequestSchema, StartedJob),
  'jobs.cancel': invoke(noArgs, z.object({ cancelled: z.boolean() })),
  /** The running job, or the last finished one, or null. */
  'jobs.current': invoke(noArgs, JobSnapshotSchema.nullable()),
  /** Offline caches on this computer that a job can copy onto a stick. */
  'caches.list': invoke(noArgs, z.array(CacheEntry)),
};

export const jobsEvents = {
  /** Every helper event, with the job's snapshot after it. */
  'jobs.event': event(z.object({ jobId: z.string(), event: JobEvent, snapshot: JobSnapshotSchema })),
};
