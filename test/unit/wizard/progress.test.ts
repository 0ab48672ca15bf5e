// The per-target bar over the whole write: it only moves forward although the helper counts bytes per phase.
import { describe, expect, it } from 'vitest';
import { overallFraction, phaseFraction } from '../../../src-renderer/store/progress.ts';
import type { FlashTarget } from '../../../src-renderer/store/flash-slice.ts';

type Row = Pick<FlashTarget, 'state' | 'phase' | 'progressPhase' | 'bytesDone' | 'bytesTotal'>;

describe('overall progress of a target', () => {
  it('never goes back across a real sequence of helper reports (bytes reset between phases)', () => {
    const seq: Row[] = [
      { state: 'pending', phase: null, progressPhase: null, bytesDone: 0, bytesTotal: 0 },
      { state: 'writing', phase: 'check', progressPhase: 'check', bytesDone: 8e6, bytesTotal: 16e6 },
      { state: 'writing', phase: 'check', progressPhase: 'check', bytesDone: 16e6, bytesTotal: 16e6 },
      // the check's byte counts are still in the snapshot, but belong to the check
      { state: 'writing', phase: 'wipe', progressPhase: 'check', bytesDone: 16e6, bytesTotal: 16e6 },
      { state: 'writing', phase: 'partition', progressPhase: 'check', bytesDone: 16e6, bytesTotal: 16e6 },
      { state: 'writing', phase: 'slots', progressPhase: 'slots', bytesDone: 0, bytesTotal: 2e9 },
      { state: 'writing', phase: 'slots', progressPhase: 'slots', bytesDone: 1e9, bytesTotal: 2e9 },
      { state: 'writing', phase: 'btrfs', progressPhase: 'slots', bytesDone: 2e9, bytesTotal: 2e9 },
      { state: 'verifying', phase: 'verify', progressPhase: 'verify', bytesDone: 5e8, bytesTotal: 2e9 },
      { state: 'verified', phase: 'complete', progressPhase: 'verify', bytesDone: 2e9, bytesTotal: 2e9 },
    ];
    const values = seq.map(overallFraction);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]!);
    expect(values[0]).toBe(0);
    expect(values[3]).toBeCloseTo(0.06);
    expect(values[6]).toBeCloseTo(0.33);
    expect(values.at(-1)).toBe(1);
  });

  it('has no byte fraction (so no speed or ETA) in a phase that reported no bytes', () => {
    expect(phaseFraction({ phase: 'wipe', progressPhase: 'check', bytesDone: 1, bytesTotal: 1 })).toBeNull();
    expect(phaseFraction({ phase: 'slots', progressPhase: 'slots', bytesDone: 1, bytesTotal: 4 })).toBe(0.25);
  });
});
