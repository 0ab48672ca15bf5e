import { describe, expect, it } from 'vitest';
import { etaSeconds, formatEta, formatSpeed, SpeedWindow, speedOf } from '../../src-shared/progress/speed.ts';

describe('speedOf', () => {
  it.each([
    { samples: [], min: 0, want: 0 },
    { samples: [{ atMs: 0, bytes: 0 }], min: 0, want: 0 },
    { samples: [{ atMs: 0, bytes: 0 }, { atMs: 1000, bytes: 4_000_000 }], min: 0, want: 4_000_000 },
    { samples: [{ atMs: 0, bytes: 0 }, { atMs: 500, bytes: 1_000 }], min: 0, want: 2_000 },
    { samples: [{ atMs: 0, bytes: 0 }, { atMs: 100, bytes: 1_000 }], min: 250, want: 0 },
    { samples: [{ atMs: 5, bytes: 10 }, { atMs: 5, bytes: 20 }], min: 0, want: 0 },
  ])('$samples.length samples, min $min → $want', ({ samples, min, want }) => {
    expect(speedOf(samples, min)).toBe(want);
  });
});

describe('SpeedWindow', () => {
  it('follows the recent rate, not the average since the start', () => {
    const w = new SpeedWindow({ windowMs: 2_000 });
    // 10 MB/s for 10 s, then 1 MB/s for 5 s.
    let bytes = 0;
    for (let t = 0; t <= 10_000; t += 500) {
      w.add(t, bytes);
      bytes += 5_000_000;
    }
    bytes -= 5_000_000;
    for (let t = 10_500; t <= 15_000; t += 500) {
      bytes += 500_000;
      w.add(t, bytes);
    }
    expect(w.speedBps()).toBeCloseTo(1_000_000, -3);
  });

  it('is 0 until the window spans the minimum', () => {
    const w = new SpeedWindow({ windowMs: 5_000, minSpanMs: 250 });
    w.add(0, 0);
    w.add(100, 1_000_000);
    expect(w.speedBps()).toBe(0);
    w.add(300, 3_000_000);
    expect(w.speedBps()).toBe(10_000_000);
  });

  it('restarts when bytes or time go backwards (a new phase)', () => {
    const w = new SpeedWindow({ windowMs: 5_000, minSpanMs: 0 });
    w.add(0, 0);
    w.add(1_000, 8_000_000);
    w.add(1_500, 0);
    expect(w.speedBps()).toBe(0);
    w.add(2_500, 2_000_000);
    expect(w.speedBps()).toBe(2_000_000);
  });

  it('refuses a zero window', () => {
    expect(() => new SpeedWindow({ windowMs: 0 })).toThrow(RangeError);
  });
});

describe('etaSeconds', () => {
  it.each([
    { done: 0, total: 100, speed: 10, want: 10 },
    { done: 95, total: 100, speed: 10, want: 1 },
    { done: 100, total: 100, speed: 10, want: 0 },
    { done: 120, total: 100, speed: 0, want: 0 },
    { done: 0, total: 1_073_741_824, speed: 40_000_000, want: 27 },
    { done: 0, total: 100, speed: 0, want: null },
    { done: 0, total: 100, speed: Number.NaN, want: null },
    { done: -1, total: 100, speed: 10, want: null },
    { done: 0, total: Number.POSITIVE_INFINITY, speed: 10, want: null },
  ])('$done/$total at $speed B/s → $want', ({ done, total, speed, want }) => {
    expect(etaSeconds(done, total, speed)).toBe(want);
  });
});

describe('formatting', () => {
  it.each([
    [0, '—'],
    [512, '512 B/s'],
    [38_200_000, '38.2 MB/s'],
    [123_456_789, '123 MB/s'],
    [1_500_000_000, '1.5 GB/s'],
  ])('speed %d → %s', (bps, text) => expect(formatSpeed(bps)).toBe(text));

  it.each([
    [null, '—'],
    [9, '0:09'],
    [247, '4:07'],
    [3909, '1:05:09'],
  ])('eta %s → %s', (s, text) => expect(formatEta(s)).toBe(text));
});
