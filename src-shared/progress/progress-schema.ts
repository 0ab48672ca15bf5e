// The progress of a job as the job state holds it in its snapshot, the GUI and the CLI show it: per target its
// stage, phase, one fraction over the whole job and the time left; for the batch the same. Computed once, by
// foldProgress (./fold-progress.ts), from the helper's events; nobody else does arithmetic on it.
import * as z from 'zod';
import { Phase } from '../job/events.ts';
import { PhaseStep } from './work-plan.ts';

/** Where a target is, in a user's words: the read-back is "verifying", the end "verified" or only "written". */
export const TARGET_STAGES = ['pending', 'writing', 'verifying', 'verified', 'written', 'failed', 'cancelled'] as const;
export const TargetStage = z.enum(TARGET_STAGES);
export type TargetStage = z.infer<typeof TargetStage>;
export const FINISHED_STAGES: ReadonlySet<TargetStage> = new Set(['verified', 'written', 'failed', 'cancelled']);

/** One phase as it was entered: what happened, kept in the snapshot so a reloaded window can show it. */
export const PhaseVisit = z.object({
  phase: Phase,
  /** ISO 8601 with milliseconds. */
  at: z.string(),
  /** The target's overall fraction when the phase began. */
  fraction: z.number().min(0).max(1),
});
export type PhaseVisit = z.infer<typeof PhaseVisit>;

/** What the fold keeps to go on (where the target is in the job's plan, the measured rate): not for display. */
export const TargetWork = z.object({
  /** Index of the plan's step the target is in; -1 before its first phase. */
  cursor: z.number().int().min(-1),
  /** How far the helper's byte counts have filled the current step's bytes (0…1). */
  stepFraction: z.number().min(0).max(1),
  /** Bytes of the plan's estimated steps as the helper counted them for this target. */
  learned: z.array(z.object({ step: z.number().int().nonnegative(), bytes: z.number().nonnegative() })),
  /** The last rate sample: work done at a moment, and the smoothed work per second (null until measured). */
  rate: z.object({ atMs: z.number(), work: z.number().nonnegative(), perSecond: z.number().nonnegative().nullable() }).nullable(),
});
export type TargetWork = z.infer<typeof TargetWork>;

export const TargetProgress = z.object({
  targetId: z.string(),
  stage: TargetStage,
  /** The phase the helper reported last (null before the first). */
  phase: Phase.nullable(),
  /** 0…1 over the whole job of this target: never goes back, never restarts at a phase; 1 only when done. */
  fraction: z.number().min(0).max(1),
  /** Whole seconds left for this target; null while unknown (never a made-up 0). 0 only when done. */
  secondsLeft: z.number().int().nonnegative().nullable(),
  /** Bytes per second of the current phase as the helper measured it; 0 in a phase that moves no bytes. */
  speedBps: z.number().nonnegative(),
  history: z.array(PhaseVisit),
  work: TargetWork,
});
export type TargetProgress = z.infer<typeof TargetProgress>;

export const BatchProgress = z.object({
  /** 0…1 over every target's work (a failed target's remaining work counts as over: it will not be done). */
  fraction: z.number().min(0).max(1),
  /** Until the last target ends (they run side by side); null while any running target's time is unknown. */
  secondsLeft: z.number().int().nonnegative().nullable(),
  targets: z.number().int().nonnegative(),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type BatchProgress = z.infer<typeof BatchProgress>;

export const JobProgress = z.object({
  /** Each target's phases and their work (planTargetWork of the job): one plan, shared by the targets. */
  plan: z.array(PhaseStep),
  /** In the order of the job's targets. */
  targets: z.array(TargetProgress),
  batch: BatchProgress,
});
export type JobProgress = z.infer<typeof JobProgress>;

/** What a display reads of a target (everything but the fold's own state). */
export type TargetProgressView = Omit<TargetProgress, 'work'>;
