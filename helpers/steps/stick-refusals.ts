// The refusals the jobs on an existing stick (repair, reset, payload, update) share: the drive rules and a
// read-write mount checked before anything is changed, and the typed failure a refusal is sent with.
import { checkTargetSafety, type TargetForCheck } from '../../src-shared/drives/safety.ts';
import type { TargetFailure } from '../../src-shared/job/target-failure.ts';
import { gatherFacts } from '../check.ts';
import { FailureError, failureOf } from '../context.ts';
import { readWriteMounts } from './clone-source.ts';

/**
 * The drive rules and the stick's read-write mounts: `refusal`, a FailureError with their reasons (null when the
 * stick may be used), and the size the rules saw.
 */
export async function stickSafety(target: TargetForCheck): Promise<{ refusal: FailureError | null; sizeBytes: number }> {
  const facts = await gatherFacts([]);
  const verdict = checkTargetSafety(target, 0, facts, { unmountIfMounted: false });
  const mounted = await readWriteMounts(target.path, target.kind === 'device');
  const problems = [...verdict.problems.map((p) => p.message), ...(mounted.length ? [`${target.path} is mounted at ${mounted.join(', ')}; unmount it first`] : [])];
  if (!problems.length) return { refusal: null, sizeBytes: verdict.sizeBytes };
  const reasons = [...new Set([...verdict.problems.map((p) => p.code), ...(mounted.length ? (['mounted'] as const) : [])])];
  return { refusal: new FailureError(problems.join('; '), { key: 'refused', target: target.path, reasons }), sizeBytes: verdict.sizeBytes };
}

/** The failure a refusal is sent with: its own typed one, else its English text in a translated frame. */
export function refusalFailure(err: unknown, cancelled: boolean): TargetFailure {
  if (cancelled) return { key: 'cancelled-before' };
  return failureOf(err) ?? { key: 'refused-text', text: err instanceof Error ? err.message : String(err) };
}
