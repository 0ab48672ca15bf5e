// The privileged helper: `main.ts --socket <path> --token <hex>`. Connects to the app's private socket,
// proves the token, receives one WriteJob, runs it and streams JobEvents back. It cancels and exits when
// the app says cancel, when the socket closes, or when no ping arrived for 10 s. No job or progress ever
// travels on the command line.
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import type { JobEvent } from '../src-shared/job/events.ts';
import { AppToHelper, encodeLine, LineSplitter, parseLine, PING_TIMEOUT_MS } from '../src-shared/job/protocol.ts';
import { runJob } from './run-job.ts';
import { helperJobKind } from '../src-shared/job/clone-job.ts';
import { runCloneJob } from './steps/clone-run.ts';
import { runStickJob } from './steps/stick-job.ts';
import { abortAllTools } from './tools/run.ts';

function parseCli(argv: string[]): { socket: string; token: string } {
  const { values } = parseArgs({ args: argv, options: { socket: { type: 'string' }, token: { type: 'string' } }, strict: true });
  if (!values.socket || !values.token || !/^[0-9a-f]{16,128}$/.test(values.token)) {
    throw new Error('usage: iios-helper --socket <path> --token <hex>');
  }
  return { socket: values.socket, token: values.token };
}

export async function main(argv: string[]): Promise<number> {
  const { socket: path, token } = parseCli(argv);
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(path, () => resolve(s));
    s.once('error', reject);
  });
  socket.setEncoding('utf8');
  const cancel = new AbortController();
  let closed = false;
  const send = (message: unknown) => {
    if (!closed && socket.writable) socket.write(encodeLine(message));
  };
  const emit = (event: JobEvent) => send({ type: 'event', event });
  let resolveJob: (job: unknown) => void = () => undefined;
  const jobArrived = new Promise<unknown>((r) => (resolveJob = r));
  const stop = (why: string) => {
    if (cancel.signal.aborted) return;
    process.stderr.write(`iios-helper: cancelling (${why})\n`);
    cancel.abort();
    abortAllTools();
    resolveJob(null);
  };

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
    if (msg.value.type === 'job') resolveJob(msg.value.job);
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
    resolveJob(null);
  });
  socket.on('error', () => undefined);

  send({ type: 'hello', token, pid: process.pid });
  try {
    const job = await jobArrived;
    if (job === null || cancel.signal.aborted) return 1;
    const kind = helperJobKind(job);
    const run = kind === 'clone' ? runCloneJob : kind === 'repair' || kind === 'reset' ? runStickJob : runJob;
    const results = await run(job, emit, cancel.signal);
    return results.length > 0 && results.every((r) => r.ok) ? 0 : 1;
  } catch (err) {
    emit({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
    return 1;
  } finally {
    clearInterval(watchdog);
    await new Promise<void>((r) => (closed ? r() : socket.end(() => r())));
  }
}

const isEntry = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/helpers/main.ts') || process.argv[1]?.endsWith('/helper/main.js');
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`iios-helper: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
