// One bar per target for the whole write: each phase owns a share of the bar (the byte-heavy ones —
// writing the slots, reading them back — most of it), and the helper's byte counts fill the share of the
// phase they were reported in. So the bar only moves forward, though the helper counts bytes per phase.
import type { FlashTarget } from './flash-slice.ts';
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
  stamp: 1,
  verify: 26,
  complete: 1,
};

const ORDER = Object.keys(PHASE_WEIGHTS) as Phase[];
const TOTAL = ORDER.reduce((sum, p) => sum + PHASE_WEIGHTS[p], 0);

/** The byte fraction of the current phase, or null when the helper reported no bytes in this phase. */
export function phaseFraction(t: Pick<FlashTarget, 'phase' | 'progressPhase' | 'bytesDone' | 'bytesTotal'>): number | null {
  if (!t.phase || t.progressPhase !== t.phase || !(t.bytesTotal > 0)) return null;
  return Math.min(1, Math.max(0, t.bytesDone / t.bytesTotal));
}

/** 0…1 over the whole write of one target. */
export function overallFraction(t: Pick<FlashTarget, 'state' | 'phase' | 'progressPhase' | 'bytesDone' | 'bytesTotal'>): number {
  if (t.state === 'verified' || t.state === 'written') return 1;
  if (!t.phase) return 0;
  const index = ORDER.indexOf(t.phase);
  const before = ORDER.slice(0, index).reduce((sum, p) => sum + PHASE_WEIGHTS[p], 0);
  return (before + PHASE_WEIGHTS[t.phase] * (phaseFraction(t) ?? 0)) / TOTAL;
}
