// The end of every job that writes targets (write, clone): each target's image file let go, then its result.
// One place, so a cancelled job, a failed target and `complete` mean the same in every kind of job.
import type { TargetResult } from '../src-shared/job/events.ts';
import type { Emit, TargetCtx } from './context.ts';
import { releaseFolder, releaseImage } from './image-file.ts';

/** Unbinds each image file and lets go of its held folder (job end, whatever happened). */
export async function releaseTargets(targets: readonly TargetCtx[]): Promise<void> {
  for (const t of targets) {
    await releaseImage(t.image).catch((err: unknown) => t.log('warn', `could not release ${t.target.path}: ${(err as Error).message}`));
    releaseFolder(t.imageFolder);
  }
}

/**
 * A stick that has everything (written, verified, its table on) is reported done at once, at its own pace: a fast
 * stick in a batch with a slow one can be pulled while the slow one still runs. Image files wait for the job's
 * end, where they are let go (releaseTargets). Later failures or a cancel of the job no longer touch it.
 */
export function reportDone(t: TargetCtx): void {
  if (!t.alive || t.doneReported || t.image || t.target.kind !== 'device') return;
  t.enter('complete');
  t.emit({ kind: 'target-done', targetId: t.id, verified: t.verified });
  t.doneReported = true;
}

/** Each target's result (a cancelled job fails the targets still alive), `target-done` for the good ones, then `done`. */
export function finishTargets(targets: readonly TargetCtx[], emit: Emit, signal: AbortSignal, failedEarlier: TargetResult[] = [], order?: string[]): TargetResult[] {
  const written: TargetResult[] = targets.map((t) => {
    if (t.doneReported) return { targetId: t.id, ok: true, verified: t.verified };
    // A target whose complete stamp is on is finished: the cancel came too late for it.
    if (!t.failure && signal.aborted && !t.stampedComplete) t.fail(new Error('cancelled'));
    if (t.failure) return { targetId: t.id, ok: false, verified: false, message: t.failure.message, failure: t.failure.failure };
    t.enter('complete');
    emit({ kind: 'target-done', targetId: t.id, verified: t.verified });
    return { targetId: t.id, ok: true, verified: t.verified };
  });
  // Targets that failed before they got a context (pulled during the check) keep their place in the job's order.
  const all = [...written, ...failedEarlier];
  const results = order ? order.flatMap((id) => all.filter((r) => r.targetId === id)) : all;
  emit({ kind: 'done', results });
  return results;
}
