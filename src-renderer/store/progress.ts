// One bar per target for the whole write: each phase owns a share of the bar (the byte-heavy ones —
// writing the slots, reading them back — most of it), and the helper's byte counts fill the share of the
// phase they were reported in. So the bar only moves forward, though the helper counts bytes per phase.
// The helper writes the stamp twice: incomplete right after the ESP (so an interrupted write never looks
// complete), and complete at the very end, after the read-back. The bar's shares follow the helper's order;
// the first stamp takes no share of its own (it is a few bytes) and holds the bar where the ESP left it.
import type { FlashTarget } from './state.ts';
import type { Phase } from './types.ts';

export const PHASE_WEIGHTS: Record<Phase, number> = {
  check: 6,
  wipe: 2,
  partition: 2,
  esp: 3,
  slots: 40,
  verity: 6,
  btrfs: 4,
  payload: 3,
  caches: 6,
  verify: 26,
  stamp: 1,
  complete: 1,
};

/** Phases that come after the first stamp: a stamp entered after any of them is the final one. */
const AFTER_FIRST_STAMP = new Set<Phase>(['slots', 'verity', 'btrfs', 'payload', 'caches', 'verify']);

/** The phases a target has entered, in order (a phase entered again is listed again). */
export function enterPhase(entered: readonly Phase[], phase: Phase | null): Phase[] {
  return phase && entered.at(-1) !== phase ? [...entered, phase] : [...entered];
}

/** Whether the target is in (or past) the read-back: the verify phase, then the final stamp and completion. */
export function pastVerifyStart(entered: readonly Phase[]): boolean {
  return entered.includes('verify');
}

function isFirstStamp(phase: Phase, entered: readonly Phase[]): boolean {
  return phase === 'stamp' && !entered.some((p) => AFTER_FIRST_STAMP.has(p));
}

const ORDER = Object.keys(PHASE_WEIGHTS) as Phase[];
const TOTAL = ORDER.reduce((sum, p) => sum + PHASE_WEIGHTS[p], 0);

/** The byte fraction of the current phase, or null when the helper reported no bytes in this phase. */
export function phaseFraction(t: Pick<FlashTarget, 'phase' | 'progressPhase' | 'bytesDone' | 'bytesTotal'>): number | null {
  if (!t.phase || t.progressPhase !== t.phase || !(t.bytesTotal > 0)) return null;
  return Math.min(1, Math.max(0, t.bytesDone / t.bytesTotal));
}

/** 0…1 over the whole write of one target. */
export function overallFraction(t: Pick<FlashTarget, 'state' | 'phase' | 'entered' | 'progressPhase' | 'bytesDone' | 'bytesTotal'>): number {
  if (t.state === 'verified' || t.state === 'written') return 1;
  if (!t.phase) return 0;
  const shareBefore = (phase: Phase) => ORDER.slice(0, ORDER.indexOf(phase)).reduce((sum, p) => sum + PHASE_WEIGHTS[p], 0);
  if (isFirstStamp(t.phase, t.entered)) return shareBefore('slots') / TOTAL;
  return (shareBefore(t.phase) + PHASE_WEIGHTS[t.phase] * (phaseFraction(t) ?? 0)) / TOTAL;
}
