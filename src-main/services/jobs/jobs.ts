// The job service: runs one WriteJob at a time through the privileged helper. It opens a Unix socket in a
// private (0700) directory, starts the helper with the socket path only (a secret on a command line is
// readable by every process in ps), and accepts only a connection that proves it runs as root: the app sends
// it a fresh nonce, the helper creates proof-<nonce> in the private folder, and a file owned by uid 0 there
// can only have been made by root. Then it sends the job, pings every 2 s, and passes the events on.
import { t as tr } from '../../../src-shared/i18n/index.ts';
import { randomBytes } from 'node:crypto';
import { lstat, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobEvent } from '../../../src-shared/job/events.ts';
import { encodeLine, HelperToApp, LineSplitter, parseLine, PING_INTERVAL_MS } from '../../../src-shared/job/protocol.ts';
import type { ErrorDetails, ErrorDetailsOf } from '../../../src-shared/contract/error-details.ts';
import { planStickJobWork, planTargetWork } from '../../../src-shared/progress/work-plan.ts';
import { HelperJob, type HelperJobInput } from '../../../src-shared/job/clone-job.ts';
import type { WriteJob } from '../../../src-shared/job/write-job.ts';
import type { HelperProcess } from '../elevation/elevation.ts';
import type { EarlyHelper } from './early-helper.ts';
import { JobLog } from './job-log.ts';
import { applyEvent, initialSnapshot, syntheticDone, type JobSnapshot } from './job-state.ts';
import { preflightProblems } from './preflight.ts';
import { preflightWords } from '../../../src-shared/errors/preflight-words.ts';
import type { PreflightProblem } from '../../../src-shared/job/preflight-problem.ts';
import type { TargetFailure } from '../../../src-shared/job/target-failure.ts';

export interface JobServiceDeps {
  /** Starts the helper with these extra arguments (`--socket <path>`), elevated as needed. */
  launchHelper: (extraArgs: string[]) => HelperProcess;
  /** Where the private socket directory is made (default: the OS temp dir). */
  tmpRoot?: string;
  pingIntervalMs?: number;
  /** How long the helper may take to connect (includes the user typing the administrator password). */
  helloTimeoutMs?: number;
  /** After a cancel, how long the helper may take to clean up before the socket is closed on it. */
  cancelGraceMs?: number;
  /** The folder of the jobs' log files (job-log.ts); none: no log is kept. */
  logDir?: string;
  /** Said at the top of every job's log, e.g. that the helper runs from a developer setup (helper-trust.ts). */
  setupNotice?: string | null;
  /** The helper's refusals checked by the app first (default: preflight.ts); problems per target id. */
  preflight?: (job: WriteJob) => Promise<Map<string, PreflightProblem[]>>;
}

export interface JobNotice {
  jobId: string;
  event: JobEvent;
}

export class JobBusyError extends Error {
  readonly code = 'E_JOB_BUSY';
  readonly details: ErrorDetailsOf<'busy'>;
  constructor(jobId: string) {
    super(`a write is already running (job ${jobId}); wait for it to finish or cancel it first`);
    this.details = { kind: 'busy', jobId };
  }
}

/** The helper could not be started: its socket could not be opened, or the launch itself failed. */
export class HelperStartError extends Error {
  readonly code = 'E_HELPER_START';
  readonly details: ErrorDetailsOf<'helper-failed'>;
  constructor(stage: 'socket' | 'launch', cause: Error) {
    super(`could not start the helper: ${cause.message}`, { cause });
    this.details = { kind: 'helper-failed', stage };
  }
}

interface Running {
  jobId: string;
  /**
   * Set once start() took this run: a run made by prelaunch() has its helper started before the job is known,
   * and until then a helper that fails or exits only drops it (start() then starts another).
   */
  started: boolean;
  /** The job, once the app's own checks passed: sent to the helper as soon as both are there. */
  job: HelperJob | null;
  /** Whether the job went to the helper. */
  jobSent: boolean;
  /** Connections not yet proven to be the root helper (closed when the run ends). */
  conns: Set<Socket>;
  dir: string;
  server: Server;
  socket: Socket | null;
  helper: HelperProcess | null;
  timers: NodeJS.Timeout[];
  cancelRequested: boolean;
  /** What the targets say when the job ends cancelled (e.g. the user refused the password prompt). */
  cancelMessage: string;
  /** The typed reason the job failed, sent with its error event (e.g. why elevation failed). */
  failureDetails?: ErrorDetails;
  ended: boolean;
  log: JobLog | null;
  finished: Promise<JobSnapshot>;
  resolveFinished: (s: JobSnapshot) => void;
}

export class JobService {
  private running: Running | null = null;
  /** A helper started ahead of its job (prelaunch), not yet taken by start(). */
  private warm: Running | null = null;
  private snapshot: JobSnapshot | null = null;
  private readonly listeners = new Set<(n: JobNotice) => void>();

  constructor(private readonly deps: JobServiceDeps) {}

  /** The running job, or the last finished one, or null. */
  current(): JobSnapshot | null {
    return this.snapshot;
  }

  isBusy(): boolean {
    return this.running !== null;
  }

  subscribe(listener: (n: JobNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts a job and returns once the helper is launched; `finished` settles with the final snapshot
   * (never rejects). A second start while one runs is refused with JobBusyError.
   */
  async start(input: HelperJobInput): Promise<{ jobId: string; finished: Promise<JobSnapshot> }> {
    if (this.running) throw new JobBusyError(this.running.jobId);
    const job = HelperJob.parse(input);
    // A helper started ahead (prelaunch) is taken as it is; else one is started below, once the checks pass.
    const warm = this.warm;
    this.warm = null;
    const run = warm ?? newRun();
    run.jobId = job.jobId;
    run.started = true;
    const finished = run.finished;
    // Claim the slot before the first await, so two starts at once cannot both pass the check above.
    this.running = run;
    const targets = 'targets' in job ? job.targets.map((t) => ({ ...t, hostname: 'hostname' in t ? t.hostname : '' })) : [{ ...job.target, hostname: '' }];
    const plan = !('kind' in job) ? planTargetWork(job) : planStickJobWork(job.kind, 'verify' in job ? job.verify : true, job.kind === 'clone' && job.capacityCheck);
    this.snapshot = initialSnapshot(job.jobId, targets, plan);
    let stage: 'socket' | 'launch' = 'socket';
    // What the helper would refuse is refused here, before any password prompt (write jobs: preflight.ts; a clone,
    // repair or reset job is checked by the helper against the source stick it reads).
    const refusals = 'kind' in job ? new Map<string, PreflightProblem[]>() : await (this.deps.preflight ?? preflightProblems)(job).catch(() => new Map<string, PreflightProblem[]>());
    if (refusals.size) {
      const failures: TargetFailure[] = [];
      for (const t of targets) {
        const own = refusals.get(t.id);
        // typed, so that the GUI and the CLI say it in the reader's language; the message in this process's, for the log
        const failure: TargetFailure = own ? { key: 'preflight-refused', problems: own } : { key: 'other-refused' };
        if (own) failures.push(failure);
        this.publish(run, { kind: 'target-failed', targetId: t.id, message: own ? own.map(preflightWords).join('; ') : tr('preflight.otherRefused'), cancelled: false, failure });
      }
      const what = [...refusals].map(([id, m]) => `${id}: ${m.map(preflightWords).join('; ')}`).join('; ');
      // the job's own error typed too: the refused targets' failures, said in the reader's language
      void this.finish(run, tr('cli.refusedBefore', { reason: what }), undefined, { kind: 'job-refused', failures });
      return { jobId: job.jobId, finished };
    }
    try {
      if (this.deps.logDir) {
        run.log = await JobLog.open(this.deps.logDir, job);
        if (this.deps.setupNotice) run.log.note(`iios: ${this.deps.setupNotice}`);
        this.snapshot = { ...this.snapshot, logPath: run.log.path };
      }
      if (!warm) {
        await this.openSocket(run);
        stage = 'launch';
        this.launch(run);
      }
    } catch (err) {
      const failure = new HelperStartError(stage, err instanceof Error ? err : new Error(String(err)));
      await this.finish(run, failure.message, undefined, failure.details);
      throw failure;
    }
    // Cancelled (or the helper gone) while the checks ran: the job never goes out.
    if (!run.ended && !run.cancelRequested) {
      run.job = job;
      if (run.socket) this.sendJob(run, run.socket);
    }
    return { jobId: job.jobId, finished };
  }

  /**
   * Starts the helper before its job is known, for an app that can start it without asking anyone for a
   * password (it runs as root): the helper loads and proves itself while the app still reads and checks the
   * request, and gets the job from start(). A job the app refuses never reaches it; it is closed then, or by
   * discardPrelaunched(). Failing here is no error: start() starts a helper of its own.
   */
  async prelaunch(early: EarlyHelper | null = null): Promise<void> {
    if (this.running || this.warm) return void (early && (await this.closeEarly(early)));
    const run = newRun();
    this.warm = run;
    try {
      if (early) {
        // started already (src-main/cli/early-helper.mjs): its socket opens in the folder it was given
        run.dir = early.dir;
        run.helper = early.helper;
        await this.listen(run);
        this.watch(run, early.helper);
      } else {
        await this.openSocket(run);
        this.launch(run);
      }
    } catch {
      await this.dropWarm(run);
    }
  }

  private async closeEarly(early: EarlyHelper): Promise<void> {
    early.helper.kill();
    await early.helper.exited;
    await rm(early.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Closes a helper started by prelaunch() that no job took (the app refused the request, or gave up). */
  async discardPrelaunched(): Promise<void> {
    if (this.warm) await this.dropWarm(this.warm);
  }

  private async dropWarm(run: Running): Promise<void> {
    if (this.warm === run) this.warm = null;
    if (run.ended || run.started) return;
    run.ended = true;
    for (const t of run.timers) clearTimeout(t);
    for (const c of run.conns) c.destroy();
    run.socket?.destroy();
    run.server.close();
    run.helper?.kill();
    if (run.helper) await Promise.race([run.helper.exited, new Promise((r) => setTimeout(r, 20_000).unref())]);
    if (run.dir) await rm(run.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** The private folder and the socket the helper connects to. */
  private async openSocket(run: Running): Promise<void> {
    run.dir = await mkdtemp(join(this.deps.tmpRoot ?? tmpdir(), 'iios-job-'));
    await this.listen(run);
  }

  /** The socket in the run's folder, which must be private. */
  private async listen(run: Running): Promise<void> {
    if (((await stat(run.dir)).mode & 0o077) !== 0) throw new Error(`socket directory ${run.dir} is not private`);
    run.server.on('connection', (s) => this.onConnection(run, s));
    await new Promise<void>((resolve, reject) => {
      run.server.once('error', reject);
      run.server.listen(join(run.dir, 'helper.sock'), () => resolve());
    });
  }

  /** Starts the helper on the run's socket and watches it: its exit, and whether it connects in time. */
  private launch(run: Running): void {
    const helper = this.deps.launchHelper(['--socket', join(run.dir, 'helper.sock')]);
    run.helper = helper;
    this.watch(run, helper);
  }

  private watch(run: Running, helper: HelperProcess): void {
    helper.exited.then((exit) => {
      // A helper started ahead that ends before any job took it: nothing to report, start() starts another.
      if (!run.started) return void this.dropWarm(run);
      // Before the helper connected, a failure is the elevation tool's (elevation-failure.ts words it).
      const elevation = run.socket ? undefined : exit.elevation;
      run.failureDetails = {
        kind: 'elevation',
        reason: elevation?.reason ?? 'helper-failed',
        ...(elevation?.tool ? { tool: elevation.tool } : {}),
        ...(elevation?.said ? { said: elevation.said } : {}),
        ...(elevation?.both ? { both: elevation.both } : {}),
      };
      const why = elevation
        ? elevation.message
        : exit.cancelled
        ? (exit.message ?? 'cancelled before elevation')
        : `the helper exited (code ${exit.code ?? exit.signal ?? '?'}) without finishing the job${exit.stderr ? `: ${lastLine(exit.stderr)}` : ''}`;
      if (exit.cancelled) {
        this.markCancelled(run);
        run.cancelMessage = why;
      }
      // Give its last events on the socket a moment to arrive before calling the job over; not once it is over
      // (its `done` came first, the usual end): the timer would only hold the process 200 ms after every job.
      if (!run.ended) setTimeout(() => void this.finish(run, why), 200);
    });
    const hello = setTimeout(() => {
      if (run.socket) return;
      if (!run.started) return void this.dropWarm(run);
      run.helper?.kill();
      void this.finish(run, 'the helper did not connect in time', undefined, { kind: 'job-ended', why: 'no-connect' });
    }, this.deps.helloTimeoutMs ?? 300_000);
    // A helper started ahead keeps no app alive that gives up before it starts a job.
    if (!run.started) hello.unref();
    run.timers.push(hello);
  }

  /** Asks the running job to stop; true when there was one. Targets are left visibly incomplete. */
  cancel(): boolean {
    const run = this.running;
    if (!run || run.ended) return false;
    if (run.cancelRequested) return true;
    this.markCancelled(run);
    if (run.socket) {
      run.socket.write(encodeLine({ type: 'cancel' }));
      // A helper that does not finish on its own is made to: it cancels and exits when its socket closes.
      run.timers.push(setTimeout(() => run.socket?.end(), this.deps.cancelGraceMs ?? 60_000));
    } else {
      run.helper?.kill();
      void this.finish(run, 'cancelled before the helper started');
    }
    return true;
  }

  private markCancelled(run: Running): void {
    run.cancelRequested = true;
    if (this.snapshot?.jobId === run.jobId) {
      this.snapshot = {
        ...this.snapshot,
        status: 'cancelling',
        targets: this.snapshot.targets.map((t) => (t.status === 'done' || t.status === 'failed' ? t : { ...t, cancelled: true })),
      };
    }
  }

  private onConnection(run: Running, socket: Socket): void {
    if (run.socket || run.ended) {
      socket.destroy();
      return;
    }
    run.conns.add(socket);
    socket.setEncoding('utf8');
    let authed = false;
    let nonce: string | null = null;
    const splitter = new LineSplitter((line) => {
      const msg = parseLine(HelperToApp, line);
      if (!authed) {
        if (!msg.ok || run.socket) return void socket.destroy();
        if (msg.value.type === 'hello' && nonce === null) {
          nonce = randomBytes(32).toString('hex');
          socket.write(encodeLine({ type: 'prove', nonce }));
          return;
        }
        if (msg.value.type !== 'proved' || nonce === null) return void socket.destroy();
        const proof = join(run.dir, `proof-${nonce}`);
        void provedRoot(proof).then((ok) => {
          if (!ok || run.socket || run.ended || socket.destroyed) return void socket.destroy();
          authed = true;
          run.conns.delete(socket);
          this.accept(run, socket);
        });
        return;
      }
      if (!msg.ok) return this.emit(run, { kind: 'log', level: 'warn', message: `unreadable message from the helper: ${msg.error}` });
      if (msg.value.type === 'event') this.emit(run, msg.value.event);
    });
    socket.on('data', (chunk: string) => {
      try {
        splitter.push(chunk);
      } catch (err) {
        socket.destroy(err as Error);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      run.conns.delete(socket);
      if (run.socket === socket && !run.started) return void this.dropWarm(run);
      if (run.socket === socket) void this.finish(run, 'the connection to the helper closed before the job finished', undefined, { kind: 'job-ended', why: 'connection-closed' });
    });
  }

  /**
   * The connection proved it is the root helper: nobody else may connect now, and it gets the job once the
   * app's checks passed (at once, unless it was started ahead of them). Pinged from now on either way.
   */
  private accept(run: Running, socket: Socket): void {
    run.socket = socket;
    run.server.close();
    if (run.cancelRequested) {
      socket.end();
      return;
    }
    const ping = setInterval(() => socket.writable && socket.write(encodeLine({ type: 'ping' })), this.deps.pingIntervalMs ?? PING_INTERVAL_MS);
    // A helper started ahead keeps no app alive that gives up before it starts a job.
    if (!run.started) ping.unref();
    run.timers.push(ping);
    if (run.job) this.sendJob(run, socket);
  }

  private sendJob(run: Running, socket: Socket): void {
    if (run.jobSent) return;
    run.jobSent = true;
    socket.write(encodeLine({ type: 'job', job: run.job }));
  }

  private emit(run: Running, event: JobEvent): void {
    if (run.ended || this.snapshot?.jobId !== run.jobId) return;
    // The job is over only once the helper has exited and cleaned up: `done` is held back until then, so
    // whoever sees it can start the next job at once.
    if (event.kind === 'done') return void this.finish(run, null, event);
    this.publish(run, event);
  }

  private publish(run: Running, event: JobEvent): void {
    run.log?.event(event);
    if (this.snapshot?.jobId !== run.jobId) return;
    this.snapshot = applyEvent(this.snapshot, event);
    for (const l of [...this.listeners]) {
      try {
        l({ jobId: run.jobId, event });
      } catch (err) {
        console.error('iios: job listener failed:', err);
      }
    }
  }

  /**
   * Ends the job once: cleanup, then the final `done` (made up when the helper did not send one). `details`: why,
   * typed, for the error a job that ends without a result gets (the helper's exit, when known, says more).
   */
  private async finish(run: Running, failure: string | null, done?: JobEvent, details?: ErrorDetails): Promise<void> {
    if (run.ended) return;
    run.ended = true;
    // the helper's own `done`: whatever its exit says afterwards is no reason for a failure
    const helperDone = done !== undefined;
    if (!done) {
      const why = failure ?? 'the helper ended without a result';
      const typed = run.failureDetails ?? details ?? (failure === null ? { kind: 'job-ended', why: 'no-result' } : undefined);
      if (!run.cancelRequested) this.publish(run, { kind: 'error', message: why, ...(typed ? { details: typed } : {}) });
      done = syntheticDone(this.snapshot!, run.cancelRequested ? run.cancelMessage : why, run.cancelRequested);
    }
    for (const t of run.timers) clearTimeout(t);
    for (const c of run.conns) c.destroy();
    run.socket?.end();
    run.server.close();
    // Let the helper finish its own cleanup (unmounts, loop devices) before the job counts as over.
    if (run.helper) await Promise.race([run.helper.exited, new Promise((r) => setTimeout(r, 20_000).unref())]);
    if (run.dir) await rm(run.dir, { recursive: true, force: true }).catch(() => undefined);
    if (this.running === run) this.running = null;
    // the helper's exit, known only now, says why when nothing typed said it before (a connection that closed did)
    if (!helperDone && run.failureDetails && this.snapshot?.jobId === run.jobId) this.snapshot = { ...this.snapshot, errorDetails: this.snapshot.errorDetails ?? run.failureDetails };
    this.publish(run, done);
    await run.log?.close();
    run.resolveFinished(this.snapshot!);
  }
}

function newRun(): Running {
  let resolveFinished!: (s: JobSnapshot) => void;
  const finished = new Promise<JobSnapshot>((r) => (resolveFinished = r));
  return {
    jobId: '',
    started: false,
    job: null,
    jobSent: false,
    conns: new Set(),
    dir: '',
    server: createServer(),
    socket: null,
    helper: null,
    timers: [],
    cancelRequested: false,
    cancelMessage: 'cancelled; the target is incomplete',
    ended: false,
    log: null,
    finished,
    resolveFinished,
  };
}

/** A regular file (not a link) owned by root: only a root process can have created it in the app's folder. */
async function provedRoot(proof: string): Promise<boolean> {
  const st = await lstat(proof).catch(() => null);
  return !!st && st.isFile() && st.uid === 0;
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

