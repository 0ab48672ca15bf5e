// One job event as `iios <job command> --json` prints it: one JSON object per line, the helper's event (the
// same one the GUI receives in jobs.event) plus the moment iios received it (the moment the job state folds it
// at), the job id and, for a target's events, the target's device or file path, so a script can follow a job
// without knowing the job's target ids.
import * as z from 'zod';
import { DoneEvent, ErrorEvent, LogEvent, PhaseEvent, ProgressEvent, TargetDoneEvent, TargetFailedEvent, type JobEvent } from './events.ts';

/** ISO 8601 in UTC with milliseconds, as Date.toISOString() writes it. */
const time = z.iso.datetime({ precision: 3 });
const jobId = z.string().min(1);
/** The target's block device or image file. */
const target = z.string().startsWith('/');
const line = { time, jobId };

export const EVENT_LINE_KINDS = ['phase', 'progress', 'log', 'target-failed', 'target-done', 'done', 'error'] as const satisfies readonly JobEvent['kind'][];

export const EventLine = z
  .discriminatedUnion('kind', [
    PhaseEvent.extend({ ...line, target }).strict(),
    ProgressEvent.extend({ ...line, target }).strict(),
    LogEvent.extend({ ...line, target: target.optional() }).strict(),
    TargetFailedEvent.extend({ ...line, target }).strict(),
    TargetDoneEvent.extend({ ...line, target }).strict(),
    DoneEvent.extend(line).strict(),
    ErrorEvent.extend(line).strict(),
  ])
  .refine((l) => l.kind !== 'log' || (l.targetId === undefined) === (l.target === undefined), {
    message: "a target's log line names its target path, a job's log line none",
    path: ['target'],
  });
export type EventLine = z.infer<typeof EventLine>;

/** The line for one event; `pathOf` gives a target id's path (null when the job has no such target). */
export function eventLine(jobId: string, event: JobEvent, at: Date, pathOf: (targetId: string) => string | null): EventLine {
  const base = { time: at.toISOString(), jobId };
  if (!('targetId' in event) || event.targetId === undefined) return { ...event, ...base } as EventLine;
  const path = pathOf(event.targetId);
  if (path === null) throw new Error(`event for unknown target ${event.targetId}`);
  return { ...event, ...base, target: path } as EventLine;
}

/** The helper's event a line carries (what a fold over recorded lines replays). */
export function lineEvent(l: EventLine): { event: JobEvent; at: Date } {
  const { time: at, jobId: _job, ...rest } = l;
  const { target: _target, ...event } = rest as typeof rest & { target?: string };
  return { event: event as JobEvent, at: new Date(at) };
}
