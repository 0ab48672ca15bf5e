// The one place where a job's progress is computed: folded from the helper's events (with the moment each
// arrived), pure, no clock of its own. A target walks through the steps of its work plan in order; its fraction
// is the work behind it over all its work, held so it never goes back (a phase's total learned late can make
// the plan larger), and below 1 until the helper says the target is done. Time left comes from the rate at which
// the target's work got done recently (smoothed over ~15 s, from the first phase on the target itself): unknown
// until measured, never 0 before the end.
import type { JobEvent, Phase } from '../job/events.ts';
import {
  FINISHED_STAGES,
  type BatchProgress,
  type JobProgress,
  type PhaseVisit,
  type TargetProgress,
  type TargetStage,
  type TargetWork,
} from './progress-schema.ts';
import { stepWork, type PhaseStep } from './work-plan.ts';

/** Below this span the rate is not measured (a burst of events in one moment says nothing about speed). */
export const RATE_MIN_SPAN_MS = 1_000;
/** Time constant of the smoothing: a change of speed shows fully after about this long. */
export const RATE_SMOOTHING_MS = 15_000;
/** A target not yet done never shows 100 %. */
export const MAX_UNFINISHED_FRACTION = 0.999;

export function initialProgress(targetIds: readonly string[], plan: readonly PhaseStep[]): JobProgress {
  const targets = targetIds.map(
    (targetId): TargetProgress => ({
      targetId,
      stage: 'pending',
      phase: null,
      fraction: 0,
      secondsLeft: null,
      speedBps: 0,
      history: [],
      work: { cursor: -1, stepFraction: 0, learned: [], rate: null },
    }),
  );
  return { plan: [...plan], targets, batch: batchOf(plan, targets, null) };
}

/** The job's plan with what the helper counted for this target in place of the estimates. */
export function targetSteps(plan: readonly PhaseStep[], w: TargetWork): PhaseStep[] {
  if (w.learned.length === 0) return [...plan];
  return plan.map((s, i) => {
    const l = w.learned.find((x) => x.step === i);
    return l ? { ...s, bytes: l.bytes, known: true } : s;
  });
}

const totalWork = (steps: readonly PhaseStep[]) => steps.reduce((sum, s) => sum + stepWork(s), 0);

function workDone(steps: readonly PhaseStep[], w: TargetWork): number {
  let done = 0;
  for (let i = 0; i < w.cursor; i++) done += stepWork(steps[i]!);
  const current = steps[w.cursor];
  // The bytes fill as the helper counts them; the fixed part (mkfs, veritysetup) counts once the step is behind.
  if (current) done += current.bytes * current.cost * w.stepFraction;
  return done;
}

/** The next step for an entered phase: the first one ahead with that phase; an unplanned phase stays where it is. */
function stepFor(plan: readonly PhaseStep[], w: TargetWork, phase: Phase): number {
  for (let i = w.cursor + 1; i < plan.length; i++) if (plan[i]!.phase === phase) return i;
  return Math.max(w.cursor, 0);
}

function stageOf(plan: readonly PhaseStep[], w: TargetWork): TargetStage {
  return plan.slice(0, w.cursor + 1).some((s) => s.phase === 'verify') ? 'verifying' : 'writing';
}

function onPhase(plan: readonly PhaseStep[], t: TargetProgress, phase: Phase, at: Date): TargetProgress {
  const cursor = stepFor(plan, t.work, phase);
  const moved = cursor !== t.work.cursor;
  const work: TargetWork = { ...t.work, cursor, stepFraction: moved ? 0 : t.work.stepFraction };
  const visit: PhaseVisit = { phase, at: at.toISOString(), fraction: t.fraction };
  return { ...t, phase, stage: stageOf(plan, work), speedBps: 0, history: [...t.history, visit], work };
}

function onBytes(plan: readonly PhaseStep[], t: TargetProgress, ev: Extract<JobEvent, { kind: 'progress' }>): TargetProgress {
  const w = t.work;
  const current = targetSteps(plan, w)[w.cursor];
  if (!current) return { ...t, stage: t.stage === 'pending' ? 'writing' : t.stage, speedBps: ev.speedBps };
  let learned = w.learned;
  if (!current.known && ev.bytesTotal > 0) {
    // The helper counted what the job could only estimate: this step's bytes, and a read-back of them later.
    const followers = plan.flatMap((s, i) => (s.bytesOf === w.cursor && !s.known && !learned.some((l) => l.step === i) ? [i] : []));
    learned = [...learned, ...[w.cursor, ...followers].map((step) => ({ step, bytes: ev.bytesTotal }))];
  }
  const filled = ev.bytesTotal > 0 ? Math.min(1, Math.max(0, ev.bytesDone / ev.bytesTotal)) : 0;
  return { ...t, speedBps: ev.speedBps, work: { ...w, learned, stepFraction: Math.max(w.stepFraction, filled) } };
}

function finish(plan: readonly PhaseStep[], t: TargetProgress, stage: TargetStage): TargetProgress {
  if (FINISHED_STAGES.has(t.stage)) return t;
  const ok = stage === 'verified' || stage === 'written';
  const work = ok ? { ...t.work, cursor: plan.length - 1, stepFraction: 1 } : t.work;
  return { ...t, stage, fraction: ok ? 1 : t.fraction, secondsLeft: ok ? 0 : null, speedBps: 0, work };
}

/** Fraction (held, capped below 1) and time left after an event for a target still running. */
function measure(plan: readonly PhaseStep[], t: TargetProgress, atMs: number): TargetProgress {
  if (FINISHED_STAGES.has(t.stage)) return t;
  const steps = targetSteps(plan, t.work);
  const total = totalWork(steps);
  const fraction = Math.max(t.fraction, total > 0 ? Math.min(MAX_UNFINISHED_FRACTION, workDone(steps, t.work) / total) : 0);
  const work = fraction * total;
  const prev = t.work.rate;
  let rate = prev;
  // The check hashes the bundle on the computer, many times faster than a stick is written: its pace says
  // nothing about the time left, so the rate is measured from the first phase on the target.
  if (steps[t.work.cursor]?.phase === 'check') rate = null;
  else if (!prev) rate = { atMs, work, perSecond: null };
  else if (atMs - prev.atMs >= RATE_MIN_SPAN_MS) {
    const seconds = (atMs - prev.atMs) / 1000;
    const instant = Math.max(0, work - prev.work) / seconds;
    const weight = 1 - Math.exp(-(atMs - prev.atMs) / RATE_SMOOTHING_MS);
    rate = { atMs, work, perSecond: prev.perSecond === null ? instant : prev.perSecond + weight * (instant - prev.perSecond) };
  }
  const left = total * (1 - fraction);
  const perSecond = rate?.perSecond ?? null;
  const secondsLeft = perSecond !== null && perSecond > 0 ? Math.ceil(left / perSecond) : null;
  return { ...t, fraction, secondsLeft, work: { ...t.work, rate } };
}

function batchOf(plan: readonly PhaseStep[], targets: readonly TargetProgress[], prev: BatchProgress | null): BatchProgress {
  let total = 0;
  let done = 0;
  let secondsLeft: number | null = 0;
  for (const t of targets) {
    const work = totalWork(targetSteps(plan, t.work));
    total += work;
    done += FINISHED_STAGES.has(t.stage) ? work : t.fraction * work;
    if (!FINISHED_STAGES.has(t.stage)) secondsLeft = secondsLeft === null || t.secondsLeft === null ? null : Math.max(secondsLeft, t.secondsLeft);
  }
  const finished = targets.every((t) => FINISHED_STAGES.has(t.stage));
  const computed = finished ? 1 : total > 0 ? Math.min(MAX_UNFINISHED_FRACTION, done / total) : 0;
  return {
    fraction: Math.max(prev?.fraction ?? 0, computed),
    secondsLeft: targets.length === 0 ? null : secondsLeft,
    targets: targets.length,
    succeeded: targets.filter((t) => t.stage === 'verified' || t.stage === 'written').length,
    failed: targets.filter((t) => t.stage === 'failed' || t.stage === 'cancelled').length,
  };
}

function stepTarget(plan: readonly PhaseStep[], t: TargetProgress, ev: JobEvent, at: Date): TargetProgress {
  switch (ev.kind) {
    case 'phase':
      return FINISHED_STAGES.has(t.stage) ? t : measure(plan, onPhase(plan, t, ev.phase, at), at.getTime());
    case 'progress':
      return FINISHED_STAGES.has(t.stage) ? t : measure(plan, onBytes(plan, t, ev), at.getTime());
    case 'target-done':
      return finish(plan, t, ev.verified ? 'verified' : 'written');
    case 'target-failed':
      return finish(plan, t, ev.cancelled ? 'cancelled' : 'failed');
    default:
      return t;
  }
}

/**
 * Folds one event that arrived at `at` into the job's progress (a new object; the old one is left as it was).
 * `cancelled`: targets the user cancelled, so that a `done` without their own target-failed says so.
 */
export function foldProgress(p: JobProgress, ev: JobEvent, at: Date, cancelled: ReadonlySet<string> = new Set()): JobProgress {
  let targets = p.targets;
  if (ev.kind === 'done') {
    const results = new Map(ev.results.map((r) => [r.targetId, r]));
    targets = targets.map((t) => {
      const r = results.get(t.targetId);
      // a target the job ended without a result for was not finished: it failed
      if (!r || !r.ok) return finish(p.plan, t, cancelled.has(t.targetId) ? 'cancelled' : 'failed');
      return finish(p.plan, t, r.verified ? 'verified' : 'written');
    });
  } else if ('targetId' in ev && ev.targetId !== undefined) {
    const id = ev.targetId;
    targets = targets.map((t) => (t.targetId === id ? stepTarget(p.plan, t, ev, at) : t));
  } else {
    return p;
  }
  return { plan: p.plan, targets, batch: batchOf(p.plan, targets, p.batch) };
}

/** A target's progress by id. */
export function targetProgress(p: JobProgress, targetId: string): TargetProgress | undefined {
  return p.targets.find((t) => t.targetId === targetId);
}
