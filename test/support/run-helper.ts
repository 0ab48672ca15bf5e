// Test harness playing the app's side of the helper protocol (design.md, "The privileged helper"): a private
// 0700 socket dir, the real helper as a child process started the way the app starts it (helperCommand: the
// built dist/helper/main.js, rebuilt first when its sources are newer), hello answered with a nonce and the
// root-owned proof file checked (as the app does), the job sent, pings every 2 s, events collected; cancel() and onEvent hooks.
import type { TargetFailure } from '../../src-shared/job/target-failure.ts';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { JobEvent, TargetResult } from '../../src-shared/job/events.ts';
import { helperCommand } from '../../src-main/services/elevation/elevation.ts';
import { encodeLine, HelperToApp, LineSplitter, parseLine, PING_INTERVAL_MS } from '../../src-shared/job/protocol.ts';

const REPO = resolve(import.meta.dirname, '../..');

export interface HelperRun {
  /** The helper's pid, as its hello said (its folder is /tmp/iios-helper-<pid>-…). */
  pid: number | null;
  events: JobEvent[];
  results: TargetResult[] | null;
  error: string | null;
  exitCode: number | null;
  stderr: string;
  failed(targetId: string): { message: string; cancelled: boolean; failure?: TargetFailure } | undefined;
  phases(targetId: string): string[];
}

export interface HelperControl {
  cancel(): void;
  closeSocket(): void;
  killHelper(sig?: NodeJS.Signals): void;
  appGone(): void;
}

export interface RunHelperOptions {
  /** Called for each event; may call control.cancel() or do anything to the targets (e.g. detach a loop). */
  onEvent?: (e: JobEvent, control: HelperControl) => void | Promise<void>;
  timeoutMs?: number;
  /** Send no pings (to test the helper's watchdog). */
  noPings?: boolean;
  /** Never send the job (the helper waits; with noPings its watchdog must end it). */
  holdJob?: boolean;
  /** Refuse the helper's proof: the app side closes the connection, as the app does for a failed proof. */
  rejectToken?: boolean;
  /** Added to the helper's environment, e.g. SUDO_UID as sudo sets it (otherwise none is passed on, see below). */
  env?: Record<string, string>;
}

export async function runHelper(job: unknown, opts: RunHelperOptions = {}): Promise<HelperRun> {
  const dir = await mkdtemp(join(tmpdir(), 'iios-helper-test-'));
  const sockPath = join(dir, 'helper.sock');
  const nonce = randomBytes(32).toString('hex');
  const events: JobEvent[] = [];
  let error: string | null = null;
  let results: TargetResult[] | null = null;
  let conn: Socket | null = null;
  let pinger: NodeJS.Timeout | undefined;
  let child: ReturnType<typeof spawn> | null = null;
  const control = {
    cancel: () => conn?.write(encodeLine({ type: 'cancel' })),
    closeSocket: () => conn?.destroy(),
    killHelper: (sig: NodeJS.Signals = 'SIGKILL') => child?.kill(sig),
    /** The app dies: its end of the socket and of the helper's stderr pipe close at once. */
    appGone: () => {
      conn?.destroy();
      child?.stderr?.destroy();
    },
  };
  let helperPid: number | null = null;

  const server = createServer((s) => {
    s.setEncoding('utf8');
    let authed = false;
    const splitter = new LineSplitter((line) => {
      const msg = parseLine(HelperToApp, line);
      if (!msg.ok) throw new Error(`helper sent a bad message: ${msg.error}: ${line}`);
      if (msg.value.type === 'hello') {
        helperPid = msg.value.pid;
        s.write(encodeLine({ type: 'prove', nonce }));
        return;
      }
      if (msg.value.type === 'proved') {
        void lstat(join(dir, `proof-${nonce}`)).then((st) => {
          if (opts.rejectToken || !st.isFile() || st.uid !== 0) return void s.destroy();
          authed = true;
          conn = s;
          if (!opts.holdJob) s.write(encodeLine({ type: 'job', job }));
          if (!opts.noPings) pinger = setInterval(() => s.write(encodeLine({ type: 'ping' })), PING_INTERVAL_MS);
        }, () => s.destroy());
        return;
      }
      if (!authed) return;
      const e = msg.value.event;
      events.push(e);
      if (e.kind === 'done') results = e.results;
      if (e.kind === 'error') error = e.message;
      void opts.onEvent?.(e, control);
    });
    s.on('data', (d: string) => splitter.push(d));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(sockPath, r));

  // Tests run as root and read sources from root's private temp folders: a SUDO_UID inherited from `sudo npx
  // vitest` would make the helper check them against that user (helpers/source-access.ts) and refuse them.
  const { SUDO_UID: _sudo, PKEXEC_UID: _pkexec, ...inherited } = process.env;
  const cmd = helperCommand({ root: REPO });
  const helper = spawn(cmd.file, [...cmd.args, '--socket', sockPath], {
    cwd: cmd.cwd,
    env: { ...inherited, ...cmd.env, ...opts.env },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  child = helper;
  let stderr = '';
  helper.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => helper.kill('SIGTERM'), opts.timeoutMs ?? 240_000);
  const exitCode: number | null = await new Promise((r) => helper.on('exit', (code) => r(code)));
  clearTimeout(timer);
  clearInterval(pinger);
  await new Promise<void>((r) => server.close(() => r()));
  await rm(dir, { recursive: true, force: true });

  return {
    pid: helperPid,
    events,
    results,
    error,
    exitCode,
    stderr,
    failed: (id) => {
      const e = events.find((x) => x.kind === 'target-failed' && x.targetId === id);
      return e && e.kind === 'target-failed' ? { message: e.message, cancelled: e.cancelled, ...(e.failure ? { failure: e.failure } : {}) } : undefined;
    },
    phases: (id) => events.flatMap((e) => (e.kind === 'phase' && e.targetId === id ? [e.phase] : [])),
  };
}
