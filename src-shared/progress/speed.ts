// Speed over a sliding window and ETA arithmetic, pure (no clock of its own: callers pass timestamps).
// A window rather than "bytes since start" so the speed follows the stick as its cache fills and it slows down.
import { fixed } from '../format/bytes.ts';

export interface SpeedSample {
  /** Milliseconds, from any monotonic clock. */
  atMs: number;
  /** Cumulative bytes done at that moment. */
  bytes: number;
}

export interface SpeedWindowOptions {
  /** Span of samples kept for the speed (default 5 s). */
  windowMs?: number;
  /** Below this span the speed is not yet meaningful (default 250 ms). */
  minSpanMs?: number;
}

export class SpeedWindow {
  private samples: SpeedSample[] = [];
  private readonly windowMs: number;
  private readonly minSpanMs: number;

  constructor(opts: SpeedWindowOptions = {}) {
    this.windowMs = opts.windowMs ?? 5_000;
    this.minSpanMs = opts.minSpanMs ?? 250;
    if (!(this.windowMs > 0) || !(this.minSpanMs >= 0)) throw new RangeError('window and span must be positive');
  }

  /** Records the cumulative byte count at a moment. Samples going back in time or bytes decreasing reset the window. */
  add(atMs: number, bytes: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && (atMs < last.atMs || bytes < last.bytes)) this.samples = [];
    this.samples.push({ atMs, bytes });
    // Keep one sample at or before the window start so the window always spans windowMs once enough time passed.
    const start = atMs - this.windowMs;
    while (this.samples.length > 2 && this.samples[1]!.atMs <= start) this.samples.shift();
  }

  /** Bytes per second over the window, or 0 while the window spans less than minSpanMs. */
  speedBps(): number {
    return speedOf(this.samples, this.minSpanMs);
  }
}

/** Bytes per second between the first and last sample; 0 when the span is shorter than minSpanMs. */
export function speedOf(samples: readonly SpeedSample[], minSpanMs = 0): number {
  if (samples.length < 2) return 0;
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const span = last.atMs - first.atMs;
  if (span <= 0 || span < minSpanMs) return 0;
  return Math.max(0, ((last.bytes - first.bytes) * 1000) / span);
}

/** Seconds left, rounded up; 0 when done; null when the speed is unknown (0) or the input is nonsense. */
export function etaSeconds(bytesDone: number, bytesTotal: number, speedBps: number): number | null {
  if (!Number.isFinite(bytesDone) || !Number.isFinite(bytesTotal) || bytesTotal < 0 || bytesDone < 0) return null;
  const left = bytesTotal - bytesDone;
  if (left <= 0) return 0;
  if (!(speedBps > 0) || !Number.isFinite(speedBps)) return null;
  return Math.ceil(left / speedBps);
}

/** Human text for a speed, e.g. "38.2 MB/s" (decimal units, as stick vendors use; "38,2 MB/s" in German). */
export function formatSpeed(bps: number): string {
  if (!(bps > 0)) return '—';
  const units = ['B/s', 'kB/s', 'MB/s', 'GB/s'];
  let v = bps;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${fixed(v, v >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}

/** "1:05:09", "4:07", "0:09" — or "—" when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}
