// Domain "jobs": writing sticks (one job at a time, many targets), its pushed events, and the offline caches
// a job can put on a stick. The request (what the GUI's wizard and `iios write` ask for), the started job and
// the job's snapshot are defined here once; main, the renderer and the CLI use the types inferred from them.
import { TargetFailureSchema } from '../../job/target-failure.ts';
import * as z from 'zod';
import { event, invoke, noArgs } from '../define.ts';
import { ErrorDetailsSchema } from '../error-details.ts';
import { ruleParams } from '../field-issue.ts';
import { JobEvent, Phase } from '../../job/events.ts';
import { CacheRef, WriteTarget } from '../../job/write-job.ts';
import { JobProgress } from '../../progress/progress-schema.ts';

/**
 * What a user asks to write. The CLI turns its flags into this object (sizes like "8G" into bytes, relative
 * paths into absolute ones) and validates it with this schema, as jobs.start does for the GUI.
 */
export const WriteRequestSchema = z
  .strictObject({
    profileId: z.string().min(1),
    /** An iios bundle directory (A/B and writable profiles) … */
    bundleDir: z.string().startsWith('/').optional(),
    /** … or a disk image (raw profile). */
    imagePath: z.string().startsWith('/').optional(),
    /** Block devices (/dev/…) or image files; sizeBytes creates an image file of that size. */
    targets: z.array(z.strictObject({ path: WriteTarget.shape.path, sizeBytes: WriteTarget.shape.sizeBytes.optional() })).min(1).max(64),
    /** `class-{nn}` → class-01, class-02 …; default `iios` for one target, `iios-{nn}` for several. */
    namePattern: z.string().max(63).optional(),
    /** The number in the first target's name (default 1); the names module counts from 1. */
    firstNumber: z.number().int().min(1).optional(),
    payload: z.array(z.string().startsWith('/')).optional(),
    caches: z.array(z.strictObject(CacheRef.shape)).optional(),
    /** A built cache set (its id, or its file's path): each of its kinds into its own subvolume @caches/<kind>. */
    cacheSet: z.string().min(1).optional(),
    unmountIfMounted: z.boolean().optional(),
    verify: z.boolean().optional(),
    /** First check each stick for fake capacity: test blocks written across it and read back (not image files). */
    capacityCheck: z.boolean().optional(),
    /** Raw profile: add the persistence partition after the image (default: the profile's own setting). */
    persistence: z.boolean().optional(),
  })
  .refine((r) => !!r.bundleDir !== !!r.imagePath, { path: ['bundleDir'], message: 'give either a bundle folder or a disk image (exactly one)', ...ruleParams('one-source') });
export type WriteRequest = z.infer<typeof WriteRequestSchema>;

/**
 * What a user asks to clone: a stick (or an image file saved from one) onto targets, each named from the
 * pattern. The services size each target (a device's own size; an image file the given one, else the source's).
 */
export const CloneRequestSchema = z.strictObject({
  sourcePath: z.string().startsWith('/'),
  targets: WriteRequestSchema.shape.targets,
  namePattern: z.string().max(63).optional(),
  firstNumber: z.number().int().min(1).optional(),
  /** The same system, bundles and caches, but an empty @home and @state: a stick as new. */
  fresh: z.boolean().optional(),
  unmountIfMounted: z.boolean().optional(),
  verify: z.boolean().optional(),
  /** First check each stick for fake capacity, as a write does (not image files). */
  capacityCheck: z.boolean().optional(),
});
export type CloneRequest = z.infer<typeof CloneRequestSchema>;

/**
 * What a user asks to update: iios sticks (or image files saved from them) whose inactive A/B slot gets a new
 * system, from a bundle folder or from another iios stick (its newest system). `iios update` builds the same.
 */
export const UpdateRequestSchema = z.strictObject({
  source: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('bundle'), dir: z.string().startsWith('/') }),
    z.strictObject({ kind: z.literal('stick'), path: z.string().startsWith('/') }),
  ]),
  targets: z.array(z.strictObject({ path: WriteTarget.shape.path })).min(1).max(64),
});
export type UpdateRequest = z.infer<typeof UpdateRequestSchema>;

/** What a user asks to put on a kiosk stick's payload partition: these files replace its whole content. */
export const PayloadRequestSchema = z.strictObject({
  target: z.strictObject({ path: WriteTarget.shape.path }),
  files: z.array(z.string().startsWith('/')).min(1).max(1000),
});
export type PayloadRequest = z.infer<typeof PayloadRequestSchema>;

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
  /** The helper's English sentence (logs, older readers). */
  message: z.string().nullable(),
  /** Why it failed, typed: what the GUI and the CLI say in the reader's language (src-shared/errors/failure-words.ts). */
  failure: TargetFailureSchema.optional(),
});

export const JobSnapshotSchema = z.object({
  jobId: z.string(),
  status: z.enum(['starting', 'running', 'cancelling', 'done', 'failed', 'cancelled']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  targets: z.array(TargetStateSchema),
  error: z.string().nullable(),
  results: z.array(z.object({ targetId: z.string(), ok: z.boolean(), verified: z.boolean(), message: z.string().optional() })).nullable(),
  /** Stage, overall fraction and time left per target and for the batch, with the phase history (src-shared/progress). */
  progress: JobProgress,
  /** The job's log file (every command line it ran), when the app keeps one. */
  logPath: z.string().optional(),
  /**
   * Why the job failed, typed (e.g. why elevation failed), kept also when it ended cancelled by a dismissed
   * password prompt, which sends no error event: the GUI names the reason and offers to try again from it.
   */
  errorDetails: ErrorDetailsSchema.optional(),
});
export type TargetState = z.infer<typeof TargetStateSchema>;
export type JobSnapshot = z.infer<typeof JobSnapshotSchema>;

/** What jobs.start answers: the job's id and its targets as the helper gets them (id, kind, path, size, name). */
export const StartedJobSchema = z.object({
  jobId: z.string(),
  /** A job that changes sticks in place (update, payload) names no new hostname: '' (each stick keeps its own). */
  targets: z.array(WriteTarget.extend({ hostname: z.union([WriteTarget.shape.hostname, z.literal('')]) })),
});
export type StartedJob = z.infer<typeof StartedJobSchema>;

export const CacheEntry = z.object({ kind: z.string(), path: z.string(), sizeBytes: z.number().int().nonnegative(), files: z.number().int().nonnegative() });
export type CacheEntry = z.infer<typeof CacheEntry>;

export const jobsInvoke = {
  /** Validates the request, plans every target (too small → refused), starts the helper; refused while a job runs. */
  'jobs.start': invoke(WriteRequestSchema, StartedJobSchema),
  /** Starts a clone of a stick onto the targets (refused while a job runs); the helper refuses what does not fit. */
  'jobs.clone': invoke(CloneRequestSchema, StartedJobSchema),
  /** Starts an update of sticks' inactive slots (refused while a job runs); the helper refuses a system that does not fit. */
  'jobs.update': invoke(UpdateRequestSchema, StartedJobSchema),
  /** Replaces a kiosk stick's payload files (refused while a job runs); the helper refuses files that do not fit. */
  'jobs.payload': invoke(PayloadRequestSchema, StartedJobSchema),
  'jobs.cancel': invoke(noArgs, z.object({ cancelled: z.boolean() })),
  /** The running job, or the last finished one, or null. */
  'jobs.current': invoke(noArgs, JobSnapshotSchema.nullable()),
  /** Offline caches on this computer that a job can copy onto a stick. */
  'caches.list': invoke(noArgs, z.array(CacheEntry)),
};

/** Every helper event, with the job's snapshot after it. */
export const JobNoticeSchema = z.object({ jobId: z.string(), event: JobEvent, snapshot: JobSnapshotSchema });
export type JobNotice = z.infer<typeof JobNoticeSchema>;

export const jobsEvents = {
  'jobs.event': event(JobNoticeSchema),
};
