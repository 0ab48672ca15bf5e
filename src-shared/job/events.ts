// JobEvent: what the helper reports about a job (design.md, "The privileged helper"), per target where it applies.
import * as z from 'zod';
import { ErrorDetailsSchema } from '../contract/error-details.ts';
import { Phase } from './phases.ts';
import { TargetFailureSchema } from './target-failure.ts';

export { PHASES, Phase } from './phases.ts';

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
  /** The helper's English sentence: for logs, and readers older than `failure`. */
  message: z.string(),
  cancelled: z.boolean(),
  /** Why, typed: said in the reader's language (src-shared/errors/failure-words.ts). */
  failure: TargetFailureSchema.optional(),
});
export const TargetDoneEvent = z.object({ kind: z.literal('target-done'), targetId: z.string(), verified: z.boolean() });
export const TargetResult = z.object({
  targetId: z.string(),
  ok: z.boolean(),
  verified: z.boolean(),
  message: z.string().optional(),
  failure: TargetFailureSchema.optional(),
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
