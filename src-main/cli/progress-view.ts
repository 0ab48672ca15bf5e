// Terminal progress of a write job: on a TTY one redrawn bar per target over the whole job (percent, stage or
// phase, speed, time left) and one for the batch; plain lines when the output is a pipe or a file (a line per
// phase change and now and then per target). Every number is the snapshot's progress (src-shared/progress):
// this file only lays it out.
import { detailsWords } from '../../src-shared/errors/error-words.ts';
import { failureWords } from '../../src-shared/errors/failure-words.ts';
import { t } from '../../src-shared/i18n/index.ts';
import { formatTimeLeft, percentOf } from '../../src-shared/progress/display.ts';
import { targetProgress } from '../../src-shared/progress/fold-progress.ts';
import type { BatchProgress, TargetProgressView } from '../../src-shared/progress/progress-schema.ts';
import { formatEta, formatSpeed } from '../../src-shared/progress/speed.ts';
import type { JobSnapshot, TargetState } from '../services/jobs/job-state.ts';

/** A target with its progress, as one row shows it. */
export interface TargetRow {
  target: TargetState;
  progress: TargetProgressView;
}

/** Each target of the snapshot with its progress, in the job's order. */
export function targetRows(s: JobSnapshot): TargetRow[] {
  return s.targets.map((target) => ({ target, progress: targetProgress(s.progress, target.id)! }));
}

function stateText({ target, progress }: TargetRow): string {
  switch (progress.stage) {
    case 'failed':
      return t('cli.progress.failed');
    case 'cancelled':
      return t('cli.job.cancelled');
    case 'verified':
      return t('cli.progress.verified');
    case 'written':
      return target.verified ? t('cli.progress.verified') : t('cli.progress.done');
    case 'pending':
      return t('cli.progress.waiting');
    default:
      return progress.phase ?? progress.stage;
  }
}

const finished = (p: TargetProgressView) => p.stage === 'verified' || p.stage === 'written' || p.stage === 'failed' || p.stage === 'cancelled';

function bar(fraction: number, width: number): string {
  const filled = Math.round((percentOf(fraction) * width) / 100);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** Fixed-width columns after the bar, so the bar keeps its width when a target ends. */
function tail(percent: number, state: string, speedBps: number, secondsLeft: number | null, done: boolean): string {
  const left = done ? '' : t('cli.progress.left', { time: formatTimeLeft(secondsLeft).padStart(7) });
  const speed = done ? '' : formatSpeed(speedBps);
  return ` ${String(percent).padStart(3)}%  ${state.padEnd(14)} ${speed.padStart(10)}  ${left.padEnd(12)}`;
}

function fit(label: string, tailText: string, width: number, labelWidth: number, fraction: number): string {
  const name = label.padEnd(labelWidth).slice(0, labelWidth);
  const barWidth = Math.max(10, Math.min(40, width - name.length - tailText.length - 4));
  return `${name} ${bar(fraction, barWidth)}${tailText}`;
}

/** One bar line for a target, at most `width` columns. */
export function barLine(row: TargetRow, width: number, labelWidth: number): string {
  const p = row.progress;
  return fit(`${row.target.hostname} ${row.target.path}`, tail(percentOf(p.fraction), stateText(row), p.speedBps, p.secondsLeft, finished(p)), width, labelWidth, p.fraction);
}

/** The batch's bar: every target together, until the last one ends. */
export function batchLine(b: BatchProgress, width: number, labelWidth: number): string {
  const over = b.succeeded + b.failed === b.targets;
  const state = t('cli.progress.ended', { ended: b.succeeded + b.failed, total: b.targets });
  return fit(t('cli.progress.all', { count: b.targets }), tail(percentOf(b.fraction), state, 0, b.secondsLeft, over), width, labelWidth, b.fraction);
}

/** One plain line for logs and pipes. */
export function plainLine(row: TargetRow): string {
  const p = row.progress;
  const base = `${row.target.hostname} ${row.target.path}: ${stateText(row)}`;
  if (p.stage === 'failed' || p.stage === 'cancelled') return `${base} — ${failureWords(row.target.failure, row.target.message ?? '')}`;
  if (finished(p) || p.stage === 'pending') return base;
  return `${base} ${percentOf(p.fraction)}% ${formatSpeed(p.speedBps)} ${t('cli.progress.left', { time: formatTimeLeft(p.secondsLeft) })}`;
}

/** The batch as one plain line. */
export function plainBatchLine(b: BatchProgress): string {
  const over = b.succeeded + b.failed === b.targets;
  return `${t('cli.progress.all', { count: b.targets })}: ${percentOf(b.fraction)}%${over ? '' : ` ${t('cli.progress.left', { time: formatTimeLeft(b.secondsLeft) })}`}`;
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
    const rows = targetRows(s);
    const withBatch = rows.length > 1;
    if (this.tty) {
      if (!force && this.now() - this.lastDraw < 120) return;
      this.lastDraw = this.now();
      const width = this.out.columns ?? 100;
      const labelWidth = Math.min(36, Math.max(...rows.map((r) => r.target.hostname.length + r.target.path.length + 1)));
      const lines = rows.map((r) => barLine(r, width, labelWidth));
      if (withBatch) lines.push(batchLine(s.progress.batch, width, labelWidth));
      const up = this.drawnLines ? `\x1b[${this.drawnLines}A` : '';
      this.out.write(up + lines.map((l) => `\x1b[2K${l}\n`).join(''));
      this.drawnLines = lines.length;
      return;
    }
    for (const r of rows) this.plain(r.target.id, `${r.progress.stage}/${r.progress.phase}`, percentOf(r.progress.fraction), () => plainLine(r));
    if (withBatch) {
      const b = s.progress.batch;
      this.plain('', `${b.succeeded + b.failed}`, percentOf(b.fraction), () => plainBatchLine(b));
    }
  }

  /** A plain line when the key changed, or every 5 s while the percent moves. */
  private plain(id: string, key: string, pct: number, line: () => string): void {
    const prev = this.lastPlain.get(id);
    const due = !prev || prev.key !== key || (this.now() - prev.at >= 5_000 && pct !== prev.pct);
    if (!due) return;
    this.lastPlain.set(id, { at: this.now(), key, pct });
    this.out.write(line() + '\n');
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
  const lines = s.targets.map((x) => {
    if (x.status === 'done') return `  ${t('cli.summary.ok').padEnd(6)}  ${x.hostname}  ${x.path}${x.verified ? `  (${t('cli.summary.verified')})` : ''}`;
    // a cancelled update leaves the stick as it was (its failure says so), not incomplete
    if (x.cancelled) return `  ${t('cli.summary.cancel').padEnd(6)}  ${x.hostname}  ${x.path}  — ${x.failure?.key === 'update-kept-old' ? failureWords(x.failure, '') : t('cli.summary.incomplete')}`;
    return `  ${t('cli.progress.failed').padEnd(6)}  ${x.hostname}  ${x.path}  — ${x.message === null && !x.failure ? t('cli.summary.notWritten') : failureWords(x.failure, x.message ?? '')}`;
  });
  const ok = s.targets.filter((x) => x.status === 'done').length;
  const elapsed = s.finishedAt ? (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000 : null;
  const counts = { ok, count: s.targets.length };
  const head = elapsed !== null ? t('cli.summary.writtenIn', { ...counts, time: formatEta(elapsed) }) : t('cli.summary.written', counts);
  return [head, ...lines, ...(s.error ? [`${t('cli.job.error')}: ${detailsWords(s.errorDetails, s.error)}`] : [])].join('\n');
}
