// What is known about a running or finished write job, folded from the helper's events. Pure: the job
// service keeps one for `jobs.current`, the CLI one for its progress bars. Its `progress` (stage, overall
// fraction, time left per target and for the batch, the phase history) is src-shared/progress's fold.
import type { z } from 'zod';
import type { JobSnapshotSchema, TargetStateSchema } from '../../../src-shared/contract/domains/jobs.ts';
import type { JobEvent } from '../../../src-shared/job/events.ts';
import type { TargetFailure } from '../../../src-shared/job/target-failure.ts';
import { foldProgress, initialProgress } from '../../../src-shared/progress/fold-progress.ts';
import type { PhaseStep } from '../../../src-shared/progress/work-plan.ts';

export type TargetState = z.infer<typeof TargetStateSchema>;
export type TargetStatus = TargetState['status'];
export type JobSnapshot = z.infer<typeof JobSnapshotSchema>;
export type JobStatus = JobSnapshot['status'];

/** `plan`: each target's phases and their work (planTargetWork of the job). */
export function initialSnapshot(
  jobId: string,
  targets: { id: string; path: string; hostname: string }[],
  plan: readonly PhaseStep[],
  now = new Date(),
): JobSnapshot {
  return {
    jobId,
    status: 'starting',
    startedAt: now.toISOString(),
    finishedAt: null,
    error: null,
    results: null,
    targets: targets.map((t) => ({
      id: t.id,
      path: t.path,
      hostname: t.hostname,
      status: 'pending',
      phase: null,
      bytesDone: 0,
      bytesTotal: 0,
      speedBps: 0,
      etaSeconds: null,
      verified: false,
      cancelled: false,
      message: null,
    })),
    progress: initialProgress(targets.map((t) => t.id), plan),
  };
}

function updateTarget(s: JobSnapshot, id: string, f: (t: TargetState) => TargetState): JobSnapshot {
  return { ...s, targets: s.targets.map((t) => (t.id === id ? f(t) : t)) };
}

/** Folds one event into the snapshot (returns a new object; the old one is left as it was). */
export function applyEvent(s: JobSnapshot, ev: JobEvent, now = new Date()): JobSnapshot {
  const cancelled = new Set(s.targets.filter((t) => t.cancelled).map((t) => t.id));
  return { ...applyToTargets(s, ev, now), progress: foldProgress(s.progress, ev, now, cancelled) };
}

function applyToTargets(s: JobSnapshot, ev: JobEvent, now: Date): JobSnapshot {
  const running: JobStatus = s.status === 'starting' ? 'running' : s.status;
  switch (ev.kind) {
    case 'phase':
      // Byte counts belong to one phase: a new phase starts from nothing until it reports progress.
      return updateTarget({ ...s, status: running }, ev.targetId, (t) => ({
        ...t,
        phase: ev.phase,
        status: t.status === 'pending' ? 'running' : t.status,
        ...(t.phase === ev.phase ? {} : { bytesDone: 0, bytesTotal: 0, speedBps: 0, etaSeconds: null }),
      }));
    case 'progress':
      return updateTarget({ ...s, status: running }, ev.targetId, (t) => ({
        ...t,
        status: t.status === 'pending' ? 'running' : t.status,
        bytesDone: ev.bytesDone,
        bytesTotal: ev.bytesTotal,
        speedBps: ev.speedBps,
        etaSeconds: ev.etaSeconds,
      }));
    case 'log':
      return s;
    case 'target-failed':
      return updateTarget(s, ev.targetId, (t) => ({ ...t, status: 'failed', message: ev.message, cancelled: ev.cancelled, ...(ev.failure ? { failure: ev.failure } : {}) }));
    case 'target-done':
      return updateTarget(s, ev.targetId, (t) => ({ ...t, status: 'done', phase: 'complete', verified: ev.verified, etaSeconds: 0 }));
    case 'error':
      // the first error's typed details beside its message: the GUI and the CLI say them in the reader's language
      return { ...s, error: s.error ?? ev.message, ...(s.error === null && !s.errorDetails && ev.details ? { errorDetails: ev.details } : {}) };
    case 'done': {
      let next: JobSnapshot = { ...s, results: ev.results, finishedAt: now.toISOString() };
      for (const r of ev.results) {
        next = updateTarget(next, r.targetId, (t) =>
          r.ok
            ? { ...t, status: 'done', verified: r.verified }
            : { ...t, status: 'failed', message: t.message ?? r.message ?? 'failed', ...(!t.failure && !t.message && r.failure ? { failure: r.failure } : {}) },
        );
      }
      const allOk = ev.results.length > 0 && ev.results.every((r) => r.ok) && !s.error;
      const status: JobStatus = allOk ? 'done' : s.status === 'cancelling' || next.targets.some((t) => t.cancelled) ? 'cancelled' : 'failed';
      return { ...next, status };
    }
  }
}

/**
 * The `done` event the service emits itself when the helper ended without one. A target that had not ended gets a
 * typed failure beside the job's English reason: cancelled (before anything, when it never began) or unfinished.
 */
export function syntheticDone(s: JobSnapshot, message: string, cancelled = false): JobEvent {
  const unfinished = (t: JobSnapshot['targets'][number]): TargetFailure =>
    cancelled ? (t.phase === null ? { key: 'cancelled-before' } : { key: 'cancelled', phase: t.phase }) : { key: 'unfinished' };
  return {
    kind: 'done',
    results: s.targets.map((t) =>
      t.status === 'done'
        ? { targetId: t.id, ok: true, verified: t.verified }
        : { targetId: t.id, ok: false, verified: false, message: t.message ?? message, ...(t.status === 'failed' ? {} : { failure: unfinished(t) }) },
    ),
  };
}
