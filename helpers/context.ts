// What every step gets: the job, one context per target (its plan, its own cancel, its failure), and the
// event sink. A target that fails is marked here and skipped by later steps; the others go on.
import { basename } from 'node:path';
import type { JobEvent, Phase } from '../src-shared/job/events.ts';
import type { TargetFailure } from '../src-shared/job/target-failure.ts';
import type { WriteJob, WriteTarget } from '../src-shared/job/write-job.ts';
import type { ImageProfile } from '../src-shared/profile/profile-schema.ts';
import type { PartitionPlan, PartitionRole, PlannedPartition } from '../src-shared/layout/index.ts';
import { SpeedWindow, etaSeconds } from '../src-shared/progress/speed.ts';
import { nameSignal } from './tools/command-log.ts';
import type { HeldFolder, HeldImage } from './image-file.ts';
import { ToolError } from './tools/run.ts';
import { diskGone, loopAutoclear } from './sys-block.ts';

export type Emit = (event: JobEvent) => void;

export class TargetCtx {
  readonly controller = new AbortController();
  phase: Phase = 'check';
  failure: { message: string; cancelled: boolean; failure: TargetFailure } | null = null;
  verified = false;
  /** Set once its target-done went out before the job's end (target-results.ts reportDone): it stays done. */
  doneReported = false;
  /** The stamp to put back if the target fails while its complete:true is written (stamp.ts writeCompleteStamp). */
  incompleteStamp: Record<string, unknown> | null = null;
  /** Set once complete:true read back on a device still there: the stick is finished, nothing fails it after. */
  stampedComplete = false;
  /** A loop target's autoclear flag when the job took it ('0', '1'; null when not a bound loop): see deviceGone. */
  readonly loopAutoclearAtStart: string | null;
  /** An image-file target's created file, open and bound where the tools reach it (image-file.ts). */
  image: HeldImage | null = null;
  /**
   * Rewords a failure before it is sent, for a job that knows more than the failing step: an update that stops
   * before the new slot's boot entry goes on says that the stick still boots its old system (update-run.ts).
   */
  frameFailure: ((said: SaidFailure) => SaidFailure) | null = null;
  private speed = new SpeedWindow();
  private lastProgressAt = 0;

  constructor(
    readonly target: WriteTarget,
    readonly plan: PartitionPlan,
    readonly profile: ImageProfile,
    readonly emit: Emit,
    jobSignal: AbortSignal,
    /** An image-file target's folder, opened when it was checked; the image is reached only through it. */
    readonly imageFolder: HeldFolder | null = null,
  ) {
    nameSignal(this.controller.signal, target.id);
    if (jobSignal.aborted) this.controller.abort();
    jobSignal.addEventListener('abort', () => this.controller.abort(), { once: true });
    // Read here, just before the job opens its targets and holds them for the whole job (run-job.ts).
    this.loopAutoclearAtStart = target.kind === 'device' ? loopAutoclear(basename(target.path)) : null;
  }

  get id(): string {
    return this.target.id;
  }
  /** The disk or image file the steps write to (an image file: its root-only bound path once created). */
  get disk(): string {
    if (this.image) return this.image.bound;
    // In a job an image file is reached only once created; a context without a held folder (a test's) writes by path.
    if (this.imageFolder) throw new Error(`${this.target.path} is not created yet`);
    return this.target.path;
  }
  get signal(): AbortSignal {
    return this.controller.signal;
  }
  get alive(): boolean {
    return !this.failure && !this.signal.aborted;
  }

  part(role: PartitionRole): PlannedPartition | undefined {
    return this.plan.partitions.find((p) => p.role === role);
  }
  mustPart(role: PartitionRole): PlannedPartition {
    const p = this.part(role);
    if (!p) throw new Error(`the plan has no ${role} partition`);
    return p;
  }

  enter(phase: Phase): void {
    this.phase = phase;
    this.speed = new SpeedWindow();
    this.lastProgressAt = 0;
    this.emit({ kind: 'phase', targetId: this.id, phase });
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.emit({ kind: 'log', targetId: this.id, level, message });
  }

  /** Progress, at most every 200 ms per target (and always at the end). */
  progress(bytesDone: number, bytesTotal: number, force = false): void {
    const now = performance.now();
    this.speed.add(now, bytesDone);
    if (!force && now - this.lastProgressAt < 200 && bytesDone < bytesTotal) return;
    this.lastProgressAt = now;
    const speedBps = Math.round(this.speed.speedBps());
    this.emit({ kind: 'progress', targetId: this.id, bytesDone, bytesTotal, speedBps, etaSeconds: etaSeconds(bytesDone, bytesTotal, speedBps) });
  }

  /** Marks the target failed (once) and stops whatever still runs for it. */
  fail(err: unknown): void {
    if (this.failure || this.doneReported || this.stampedComplete) return;
    const cancelled = this.signal.aborted || (err instanceof ToolError && err.cancelled);
    const plain: SaidFailure = cancelled ? { message: `cancelled during ${this.phase}; the stick is incomplete`, failure: { key: 'cancelled', phase: this.phase } } : describeFailure(this, err);
    const said = this.frameFailure ? this.frameFailure(plain) : plain;
    this.failure = { ...said, cancelled };
    this.controller.abort();
    this.emit({ kind: 'target-failed', targetId: this.id, message: said.message, cancelled, failure: said.failure });
  }
}

const GONE_CODES = new Set(['EIO', 'ENXIO', 'ENODEV', 'ENOENT', 'ENOSPC', 'EROFS', 'ESHUTDOWN']);

/**
 * A device target that vanished or was detached: a USB stick pulled (its /sys/block entry gone, or its size
 * 0), a loop device detached. `losetup -d` on a loop we hold open only sets autoclear (the loop goes away
 * when we close it), so a loop counts as detached when its autoclear turned from 0 to 1 during the job — not
 * when it was 1 from the start, as on the loops udisks sets up for image files.
 */
export function deviceGone(ctx: TargetCtx): boolean {
  if (ctx.target.kind !== 'device') return false;
  const name = basename(ctx.disk);
  if (diskGone(name)) return true;
  return ctx.loopAutoclearAtStart === '0' && loopAutoclear(name) === '1';
}

/**
 * An error that knows its typed failure (src-shared/job/target-failure.ts): the GUI and the CLI say that in the
 * reader's language; its message stays the English sentence for the log. A failure with a phase gets the phase
 * the target was in when it failed.
 */
export class FailureError extends Error {
  constructor(
    message: string,
    readonly failure: TargetFailure,
  ) {
    super(message);
  }
}

/** The typed failure an error carries (FailureError, or an error class with its own `failure`), if any. */
export function failureOf(err: unknown): TargetFailure | undefined {
  const f = (err as { failure?: TargetFailure } | null | undefined)?.failure;
  return f && typeof f === 'object' && 'key' in f ? f : undefined;
}

/** What a target's failure says: the English sentence (logs, older readers) and its typed form. */
export interface SaidFailure {
  message: string;
  failure: TargetFailure;
}

export function removedMessage(phase: Phase): string {
  return `the stick was removed or stopped responding during ${phase}; nothing on it is usable — write it again`;
}

export function describeFailure(ctx: TargetCtx, err: unknown): SaidFailure {
  const phase = ctx.phase;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (deviceGone(ctx) || (ctx.target.kind === 'device' && code && GONE_CODES.has(code)) || (err as { stalled?: boolean })?.stalled) {
    return { message: removedMessage(phase), failure: { key: 'removed', phase } };
  }
  const text = err instanceof Error ? err.message : String(err);
  const typed = failureOf(err);
  const failure: TargetFailure = typed ? ('phase' in typed ? { ...typed, phase } : typed) : code === 'ENOSPC' ? { key: 'no-space', phase } : { key: 'step', phase, text };
  // A step that words its own failure for the user (the capacity check's fake-stick verdict) is said as it is.
  if ((err as { wholeMessage?: boolean } | undefined)?.wholeMessage) return { message: text, failure };
  return { message: `${phase} failed: ${text}`, failure };
}

/** Runs fn for every live target at once; a throw fails only that target. */
export async function forEachTarget(targets: TargetCtx[], fn: (t: TargetCtx) => Promise<void>): Promise<void> {
  await Promise.all(
    targets.map(async (t) => {
      if (!t.alive) return;
      try {
        if (deviceGone(t)) throw new Error('device gone');
        await fn(t);
        if (!t.failure && deviceGone(t)) throw new Error('device gone');
      } catch (err) {
        t.fail(err);
      }
    }),
  );
}

export interface JobCtx {
  job: WriteJob;
  emit: Emit;
  signal: AbortSignal;
}
