// The per-target bar over the whole write: it only moves forward although the helper counts bytes per phase
// and writes the stamp twice (before the slots, and last).
import { describe, expect, it } from 'vitest';
import { enterPhase, overallFraction, pastVerifyStart, phaseFraction } from '../../../src-renderer/store/progress.ts';
import type { FlashTarget } from '../../../src-renderer/store/state.ts';

type Report = Pick<FlashTarget, 'state' | 'phase' | 'progressPhase' | 'bytesDone' | 'bytesTotal'>;
type Row = Report & Pick<FlashTarget, 'entered'>;

/** Adds what the store keeps across reports: the phases entered so far. */
function withEntered(reports: Report[]): Row[] {
  let entered: FlashTarget['entered'] = [];
  return reports.map((r) => {
    entered = enterPhase(entered, r.phase);
    return { ...r, entered };
  });
}

describe('overall progress of a target', () => {
  it('never goes back across a real sequence of helper reports (bytes reset between phases, the stamp written twice)', () => {
    // the phase order the helper really reports (seen in the wizard e2e): the incomplete stamp right after the
    // ESP, the complete one after the read-back
    const seq = withEntered([
      { state: 'pending', phase: null, progressPhase: null, bytesDone: 0, bytesTotal: 0 },
      { state: 'writing', phase: 'check', progressPhase: 'check', bytesDone: 8e6, bytesTotal: 16e6 },
      { state: 'writing', phase: 'check', progressPhase: 'check', bytesDone: 16e6, bytesTotal: 16e6 },
      // the check's byte counts are still in the snapshot, but belong to the check
      { state: 'writing', phase: 'wipe', progressPhase: 'check', bytesDone: 16e6, bytesTotal: 16e6 },
      { state: 'writing', phase: 'partition', progressPhase: 'check', bytesDone: 16e6, bytesTotal: 16e6 },
      { state: 'writing', phase: 'esp', progressPhase: 'check', bytesDone: 16e6, bytesTotal: 16e6 },
      { state: 'writing', phase: 'stamp', progressPhase: 'check', bytesDone: 16e6, bytesTotal: 16e6 },
      { state: 'writing', phase: 'slots', progressPhase: 'slots', bytesDone: 0, bytesTotal: 2e9 },
      { state: 'writing', phase: 'slots', progressPhase: 'slots', bytesDone: 1e9, bytesTotal: 2e9 },
      { state: 'writing', phase: 'verity', progressPhase: 'slots', bytesDone: 2e9, bytesTotal: 2e9 },
      { state: 'writing', phase: 'btrfs', progressPhase: 'slots', bytesDone: 2e9, bytesTotal: 2e9 },
      { state: 'verifying', phase: 'verify', progressPhase: 'verify', bytesDone: 5e8, bytesTotal: 2e9 },
      { state: 'verifying', phase: 'verify', progressPhase: 'verify', bytesDone: 2e9, bytesTotal: 2e9 },
      { state: 'verifying', phase: 'stamp', progressPhase: 'verify', bytesDone: 2e9, bytesTotal: 2e9 },
      { state: 'verifying', phase: 'complete', progressPhase: 'verify', bytesDone: 2e9, bytesTotal: 2e9 },
      { state: 'verified', phase: 'complete', progressPhase: 'verify', bytesDone: 2e9, bytesTotal: 2e9 },
    ]);
    const values = seq.map(overallFraction);
    for (let i = 1; i < values.length; i++) expect(values[i], `${seq[i]!.phase} after ${seq[i - 1]!.phase}`).toBeGreaterThanOrEqual(values[i - 1]!);
    expect(values[0]).toBe(0);
    expect(values[3]).toBeCloseTo(0.06);
    // the first stamp holds the bar where the ESP left it, at the start of the slots
    expect(values[6]).toBeCloseTo(0.13);
    expect(values[8]).toBeCloseTo(0.33);
    expect(values[13]).toBeCloseTo(0.98);
    expect(values.at(-1)).toBe(1);
  });

  it('counts the read-back as begun only once the verify phase was entered', () => {
    expect(pastVerifyStart(withEntered([{ state: 'writing', phase: 'stamp', progressPhase: null, bytesDone: 0, bytesTotal: 0 }])[0]!.entered)).toBe(false);
    expect(pastVerifyStart(['check', 'esp', 'stamp', 'slots', 'verify', 'stamp'])).toBe(true);
    // a write without read-back (verify off) ends with the stamp too, still writing
    expect(pastVerifyStart(['check', 'esp', 'stamp', 'slots', 'btrfs', 'stamp'])).toBe(false);
  });

  it('has no byte fraction (so no speed or ETA) in a phase that reported no bytes', () => {
    expect(phaseFraction({ phase: 'wipe', progressPhase: 'check', bytesDone: 1, bytesTotal: 1 })).toBeNull();
    expect(phaseFraction({ phase: 'slots', progressPhase: 'slots', bytesDone: 1, bytesTotal: 4 })).toBe(0.25);
  });
});
