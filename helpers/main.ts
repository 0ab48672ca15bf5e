// The privileged helper: `main.ts --socket <path>`. Connects to the app's private socket, proves that it runs
// as root (a root-owned proof file in the app's private folder, see protocol.ts: no secret is on its command
// line), receives one WriteJob, runs it and streams JobEvents back. "The app is gone" in any form — the socket
// closes, stdout or stderr fail (EPIPE), SIGHUP (a closed terminal), SIGTERM/SIGINT, no ping for 10 s — is a
// cancel: the job unmounts, detaches and leaves the targets visibly incomplete, then the helper exits.
import { closeSync, constants, lstatSync, openSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { JobEvent } from '../src-shared/job/events.ts';
import { AppToHelper, encodeLine, LineSplitter, parseLine, PING_TIMEOUT_MS } from '../src-shared/job/protocol.ts';
import { helperJobKind } from '../src-shared/job/clone-job.ts';
import { abortAllTools } from './tools/run.ts';
import { startedByLine } from './file-owner.ts';
import { helperJobError } from './job-errors.ts';
import { cleanDeadHelpers, makeWorkDir, removeIfUnmounted } from './workdir.ts';

// Each target keeps up to two writes (and then its read-back) in libuv's thread pool, four threads by default: a
// slow stick's blocked writes would hold half of them and slow the others. Node reads this when the pool starts.
process.env.UV_THREADPOOL_SIZE ??= '16';

function parseCli(argv: string[]): { socket: string } {
  // --token is still accepted (and ignored) from an older app; the proof file replaced it.
  const { values } = parseArgs({ args: argv, options: { socket: { type: 'string' }, token: { type: 'string' } }, strict: true });
  if (!values.socket || !values.socket.startsWith('/')) throw new Error('usage: iios-helper --socket <absolute path>');
  return { socket: values.socket };
}

/** Creates proof-<nonce> beside the socket: a new file (never through a link), owned by this root process. */
function writeProof(socketPath: string, nonce: string): void {
  const dir = dirname(socketPath);
  const st = lstatSync(dir);
  if (!st.isDirectory() || (st.mode & 0o077) !== 0) throw new Error(`the socket folder ${dir} is not a private folder`);
  closeSync(openSync(join(dir, `proof-${nonce}`), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o400));
}

/** How long a socket that is not there yet is waited for (see connectWhenOpen). */
const SOCKET_WAIT_MS = 5_000;

/**
 * Connects to the app's socket. A CLI that starts its helper before its own code has loaded (as root,
 * src-main/cli/early-helper.mjs) opens the socket moments after the helper starts: a socket not there yet, or
 * not yet listening, is tried again for up to SOCKET_WAIT_MS, unless the helper is told to stop.
 */
async function connectWhenOpen(path: string, signal: AbortSignal): Promise<Socket> {
  const until = Date.now() + SOCKET_WAIT_MS;
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const s = connect(path, () => resolve(s));
        s.once('error', reject);
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || Date.now() > until || signal.aborted) throw err;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

type JobRunner = (job: unknown, emit: (e: JobEvent) => void, signal: AbortSignal) => Promise<{ ok: boolean }[]>;

/** The runner of one kind of job, loaded when that job arrives: the helper compiles only the code its job needs. */
async function jobRunner(kind: ReturnType<typeof helperJobKind>): Promise<JobRunner> {
  if (kind === 'clone') return (await import('./steps/clone-run.ts')).runCloneJob;
  if (kind === 'repair' || kind === 'reset') return (await import('./steps/stick-job.ts')).runStickJob;
  if (kind === 'update') return (await import('./steps/update-run.ts')).runUpdateJob;
  if (kind === 'payload') return (await import('./steps/payload-run.ts')).runPayloadJob;
  return (await import('./run-job.ts')).runJob;
}

export async function main(argv: string[]): Promise<number> {
  const { socket: path } = parseCli(argv);
  const tmpRoot = tmpdir();
  const leftovers = await cleanDeadHelpers(tmpRoot).catch((err: unknown) => [`could not clean up after an earlier helper: ${(err as Error).message}`]);
  const workDir = makeWorkDir(tmpRoot);
  const cancel = new AbortController();
  let resolveJob: (job: unknown) => void = () => undefined;
  const jobArrived = new Promise<unknown>((r) => (resolveJob = r));
  const say = (line: string) => {
    try {
      process.stderr.write(line);
    } catch {
      /* stderr gone: the app is gone, handled below */
    }
  };
  const stop = (why: string) => {
    if (cancel.signal.aborted) return;
    say(`iios-helper: cancelling (${why})\n`);
    cancel.abort();
    abortAllTools();
    resolveJob(null);
  };
  // A write to a closed pipe must not end the process with an unhandled error: it means the app is gone.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => stop('the app is gone (its pipe closed)'));
  for (const sig of ['SIGHUP', 'SIGTERM', 'SIGINT'] as const) process.on(sig, () => stop(`${sig}`));

  let socket: Socket;
  try {
    socket = await connectWhenOpen(path, cancel.signal);
  } catch (err) {
    removeIfUnmounted(workDir);
    throw err;
  }
  socket.setEncoding('utf8');
  let closed = false;
  const send = (message: unknown) => {
    if (!closed && socket.writable) socket.write(encodeLine(message));
  };
  const emit = (event: JobEvent) => send({ type: 'event', event });

  let lastPing = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - lastPing > PING_TIMEOUT_MS) stop('no ping from the app for 10 s');
  }, 1_000);

  const splitter = new LineSplitter((line) => {
    const msg = parseLine(AppToHelper, line);
    if (!msg.ok) {
      emit({ kind: 'log', level: 'warn', message: `ignored a message from the app: ${msg.error}` });
      return;
    }
    lastPing = Date.now();
    if (msg.value.type === 'prove') {
      try {
        writeProof(path, msg.value.nonce);
        send({ type: 'proved' });
      } catch (err) {
        stop(`could not prove itself to the app: ${(err as Error).message}`);
      }
    } else if (msg.value.type === 'job') resolveJob(msg.value.job);
    else if (msg.value.type === 'cancel') stop('the app asked to cancel');
  });
  socket.on('data', (chunk: string) => {
    try {
      splitter.push(chunk);
    } catch (err) {
      stop((err as Error).message);
      socket.destroy();
    }
  });
  socket.on('close', () => {
    closed = true;
    stop('the app closed the connection');
  });
  socket.on('error', () => undefined);

  send({ type: 'hello', pid: process.pid });
  // The runner of write jobs (the usual kind) loads while the job is on its way: an app that started this
  // helper ahead of its job (as root, jobs.ts prelaunch) is still checking the request meanwhile.
  void import('./run-job.ts').catch(() => undefined);
  try {
    const job = await jobArrived;
    if (job === null || cancel.signal.aborted) return 1;
    emit({ kind: 'log', level: 'info', message: startedByLine(process.env) });
    for (const line of leftovers) emit({ kind: 'log', level: 'info', message: line });
    const kind = helperJobKind(job);
    const run = await jobRunner(kind);
    const results = await run(job, emit, cancel.signal);
    return results.length > 0 && results.every((r) => r.ok) ? 0 : 1;
  } catch (err) {
    emit(helperJobError(err));
    return 1;
  } finally {
    clearInterval(watchdog);
    if (!removeIfUnmounted(workDir)) say(`iios-helper: ${workDir} still holds a mount; the next helper start removes it\n`);
    await new Promise<void>((r) => (closed ? r() : socket.end(() => r())));
  }
}

const isEntry = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/helpers/main.ts') || process.argv[1]?.endsWith('/helper/main.js');
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      try {
        process.stderr.write(`iios-helper: ${err instanceof Error ? err.message : String(err)}\n`);
      } catch {
        /* the app is gone */
      }
      process.exit(2);
    },
  );
}
