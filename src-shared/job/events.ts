// JobEvent: what the helper reports about a job (design.md, "The privileged helper"), per target where it applies.
import { z } from 'zod';
import { ErrorDetailsSchema } from '../contract/error-details.ts';

export const PHASES = ['check', 'capacity', 'wipe', 'partition', 'esp', 'slots', 'verity', 'btrfs', 'payload', 'caches', 'stamp', 'verify', 'complete'] as const;
export const Phase = z.enum(PHASES);
export type Phase = z.infer<typeof Phase>;

export const PhaseEvent = z.object({ kind: z.literal('phase'), targetId: z.string(), phase: Phase });
export const ProgressEvent = z.object({
  kind: z.literal('progress'),
  targetId: z.string(),
  bytesDone: z.number().nonnegative(),
  bytesTotal: z.number().nonnegative(),
  speedBps: z.number().nonnegative(),
  /** null while the speed is not yet known. */
  etaSeconds: z.number().nonnegative().nullable(),
});
export const LogEvent = z.object({
  kind: z.literal('log'),
  targetId: z.string().optional(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  message: z.string(),
});
export const TargetFailedEvent = z.object({
  kind: z.literal('target-failed'),
  targetId: z.string(),
  message: z.string(),
  cancelled: z.boolean(),
});
export const TargetDoneEvent = z.object({ kind: z.literal('target-done'), targetId: z.string(), verified: z.boolean() });
export const TargetResult = z.object({
  targetId: z.string(),
  ok: z.boolean(),
  verified: z.boolean(),
  message: z.string().optional(),
});
export type TargetResult = z.infer<typeof TargetResult>;
export const DoneEvent = z.object({ kind: z.literal('done'), results: z.array(TargetResult) });
/** A failure of the whole job (bad job, refused before writing, lost connection). */
export const ErrorEvent = z.object({ kind: z.literal('error'), message: z.string(), details: ErrorDetailsSchema.optional() });

export const JobEvent = z.discriminatedUnion('kind', [
  PhaseEvent,
  ProgressEvent,
  LogEvent,
  TargetFailedEvent,
  TargetDoneEvent,
  DoneEvent,
  ErrorEvent,
]);
export type JobEvent = z.infer<typeof JobEvent>;
export type PhaseEvent = z.infer<typeof PhaseEvent>;
export type ProgressEvent = z.infer<typeof ProgressEvent>;
export type TargetFailedEvent = z.infer<typeof TargetFailedEvent>;
