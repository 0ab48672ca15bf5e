// Terminal progress of a write job: one redrawn bar per target on a TTY (phase, %, speed, ETA), plain
// lines when stdout is a pipe or a file (a line per phase change and now and then per target).
import { formatEta, formatSpeed } from '../../src-shared/progress/speed.ts';
import type { JobSnapshot, TargetState } from '../services/jobs/job-state.ts';

/** Percent of the current phase, or null while the phase has reported no byte counts. */
export function percent(t: TargetState): number | null {
  if (t.status === 'done') return 100;
  if (t.bytesTotal <= 0) return null;
  return Math.min(100, Math.floor((t.bytesDone * 100) / t.bytesTotal));
}

function stateText(t: TargetState): string {
  if (t.status === 'failed') return t.cancelled ? 'cancelled' : 'FAILED';
  if (t.status === 'done') return t.verified ? 'done, verified' : 'done';
  return t.phase ?? 'waiting';
}

/** One bar line, at most `width` columns. */
export function barLine(t: TargetState, width: number, labelWidth: number): string {
  const pct = percent(t);
  const tail = ` ${pct === null ? '    ' : `${String(pct).padStart(3)}%`}  ${stateText(t).padEnd(14)} ${formatSpeed(t.speedBps).padStart(10)}  ETA ${formatEta(t.status === 'done' ? 0 : t.etaSeconds).padStart(7)}`;
  const label = `${t.hostname} ${t.path}`.padEnd(labelWidth).slice(0, labelWidth);
  const barWidth = Math.max(10, Math.min(40, width - label.length - tail.length - 4));
  const filled = Math.round(((pct ?? 0) * barWidth) / 100);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]${tail}`;
}

/** One plain line for logs and pipes. */
export function plainLine(t: TargetState): string {
  const pct = percent(t);
  const base = `${t.hostname} ${t.path}: ${stateText(t)}`;
  if (t.status === 'failed') return `${base} — ${t.message ?? ''}`;
  if (t.status === 'done' || pct === null) return base;
  return `${base} ${pct}% ${formatSpeed(t.speedBps)} ETA ${formatEta(t.etaSeconds)}`;
}

export interface ProgressOutput {
  write(text: string): void;
  isTTY?: boolean;
  columns?: number;
}

export class ProgressView {
  private drawnLines = 0;
  private lastPlain = new Map<string, { at: number; key: string; pct: number }>();
  private lastDraw = 0;

  constructor(private readonly out: ProgressOutput, private readonly now: () => number = Date.now) {}

  private get tty(): boolean {
    return !!this.out.isTTY;
  }

  /** Shows the snapshot (throttled on a TTY to ~8 redraws a second unless `force`). */
  update(s: JobSnapshot, force = false): void {
    if (this.tty) {
      if (!force && this.now() - this.lastDraw < 120) return;
      this.lastDraw = this.now();
      const width = this.out.columns ?? 100;
      const labelWidth = Math.min(36, Math.max(...s.targets.map((t) => t.hostname.length + t.path.length + 1)));
      const lines = s.targets.map((t) => barLine(t, width, labelWidth));
      const up = this.drawnLines ? `\x1b[${this.drawnLines}A` : '';
      this.out.write(up + lines.map((l) => `\x1b[2K${l}\n`).join(''));
      this.drawnLines = lines.length;
      return;
    }
    for (const t of s.targets) {
      const key = `${t.status}/${t.phase}`;
      const prev = this.lastPlain.get(t.id);
      const pct = percent(t) ?? -1;
      const due = !prev || prev.key !== key || (this.now() - prev.at >= 5_000 && pct !== prev.pct);
      if (due) {
        this.lastPlain.set(t.id, { at: this.now(), key, pct });
        this.out.write(plainLine(t) + '\n');
      }
    }
  }

  /** A message above the bars (log lines), without tearing them. */
  log(text: string): void {
    if (this.tty && this.drawnLines) {
      this.out.write(`\x1b[${this.drawnLines}A\x1b[0J${text}\n`);
      this.drawnLines = 0;
    } else {
      this.out.write(text + '\n');
    }
  }
}

/** The closing summary: one line per target and a verdict. */
export function summary(s: JobSnapshot): string {
  const lines = s.targets.map((t) => {
    if (t.status === 'done') return `  ok      ${t.hostname}  ${t.path}${t.verified ? '  (verified)' : ''}`;
    if (t.cancelled) return `  cancel  ${t.hostname}  ${t.path}  — incomplete, write it again`;
    return `  FAILED  ${t.hostname}  ${t.path}  — ${t.message ?? 'not written'}`;
  });
  const ok = s.targets.filter((t) => t.status === 'done').length;
  const elapsed = s.finishedAt ? (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000 : null;
  const head = `${ok} of ${s.targets.length} target${s.targets.length === 1 ? '' : 's'} written${elapsed !== null ? ` in ${formatEta(elapsed)}` : ''}`;
  return [head, ...lines, ...(s.error ? [`error: ${s.error}`] : [])].join('\n');
}
