// Every external tool runs through here: execa with an argument array (never a shell string), one
// AbortController per run kept in a registry so a cancel can stop whatever is running, and failures as ToolError.
// Each command line goes to the job's log before it runs, and a failing tool's stderr after (commandLog).
import { execa } from 'execa';
import { commandLine, logCommand, logFailure } from './command-log.ts';

export class ToolError extends Error {
  readonly tool: string;
  readonly args: readonly string[];
  readonly exitCode: number | null;
  readonly stderr: string;
  readonly cancelled: boolean;

  constructor(init: { tool: string; args: readonly string[]; exitCode: number | null; stderr: string; cancelled: boolean }) {
    const what = init.cancelled ? 'was cancelled' : `failed (exit ${init.exitCode ?? 'signal'})`;
    const detail = init.stderr.trim().split('\n').slice(-3).join(' | ');
    super(`${init.tool} ${what}${detail ? `: ${detail}` : ''}`);
    this.name = 'ToolError';
    this.tool = init.tool;
    this.args = init.args;
    this.exitCode = init.exitCode;
    this.stderr = init.stderr;
    this.cancelled = init.cancelled;
  }
}

const running = new Set<AbortController>();

/** Aborts every tool that is running now (cancel, lost socket). */
export function abortAllTools(): void {
  for (const c of running) c.abort();
}

export interface RunOptions {
  /** Outer cancel (the job's or the target's); aborting it kills the tool. */
  signal?: AbortSignal;
  input?: string | Buffer;
  env?: Record<string, string>;
  /** Exit codes that count as success (default [0]). */
  okExitCodes?: number[];
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `tool args…` to completion; throws ToolError on a failing exit code or a cancel. */
export async function run(tool: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await runRaw(tool, args, opts, 'utf8');
  return { stdout: r.stdout.toString(), stderr: r.stderr, exitCode: r.exitCode };
}

/** Like run, with stdout as bytes (file contents read out with mcopy, for instance). */
export async function runBuffer(tool: string, args: readonly string[], opts: RunOptions = {}): Promise<{ stdout: Buffer; stderr: string }> {
  const r = await runRaw(tool, args, opts, 'buffer');
  return { stdout: r.stdout as Buffer, stderr: r.stderr };
}

async function runRaw(tool: string, args: readonly string[], opts: RunOptions, encoding: 'utf8' | 'buffer') {
  const controller = new AbortController();
  const onOuter = () => controller.abort();
  if (opts.signal?.aborted) throw new ToolError({ tool, args, exitCode: null, stderr: '', cancelled: true });
  opts.signal?.addEventListener('abort', onOuter, { once: true });
  running.add(controller);
  logCommand(opts.signal, commandLine([tool, args]), opts.input);
  try {
    const r = await execa(tool, [...args], {
      cancelSignal: controller.signal,
      forceKillAfterDelay: 3_000,
      reject: false,
      stripFinalNewline: false,
      encoding: encoding === 'buffer' ? 'buffer' : 'utf8',
      input: opts.input,
      env: { LC_ALL: 'C', ...opts.env },
      timeout: opts.timeoutMs,
      maxBuffer: 256 * 1024 * 1024,
    });
    const stderr = typeof r.stderr === 'string' ? r.stderr : Buffer.from(r.stderr as Uint8Array).toString();
    const ok = opts.okExitCodes ?? [0];
    if (r.isCanceled || controller.signal.aborted) {
      throw logFailure(opts.signal, new ToolError({ tool, args, exitCode: r.exitCode ?? null, stderr, cancelled: true }));
    }
    if (r.failed && (r.exitCode === undefined || !ok.includes(r.exitCode))) {
      const why = r.exitCode === undefined ? `${stderr}\n${r.shortMessage}` : stderr;
      throw logFailure(opts.signal, new ToolError({ tool, args, exitCode: r.exitCode ?? null, stderr: why, cancelled: false }));
    }
    const stdout = typeof r.stdout === 'string' ? r.stdout : Buffer.from(r.stdout as Uint8Array);
    return { stdout, stderr, exitCode: r.exitCode ?? 0 };
  } finally {
    running.delete(controller);
    opts.signal?.removeEventListener('abort', onOuter);
  }
}

/**
 * `producer | consumer`, both as argument arrays (a shell never sees them), cancelled together. Fails with the
 * ToolError of whichever side failed, the producer's first (its failure is usually the consumer's cause).
 */
export async function runPiped(producer: [string, readonly string[]], consumer: [string, readonly string[]], opts: RunOptions = {}): Promise<void> {
  const controller = new AbortController();
  const onOuter = () => controller.abort();
  if (opts.signal?.aborted) throw new ToolError({ tool: producer[0], args: producer[1], exitCode: null, stderr: '', cancelled: true });
  opts.signal?.addEventListener('abort', onOuter, { once: true });
  running.add(controller);
  const common = { cancelSignal: controller.signal, forceKillAfterDelay: 3_000, env: { LC_ALL: 'C', ...opts.env } } as const;
  logCommand(opts.signal, commandLine(producer, consumer));
  try {
    await execa(producer[0], [...producer[1]], { ...common, stdout: 'pipe', stderr: 'pipe' }).pipe(consumer[0], [...consumer[1]], { ...common, stderr: 'pipe' });
  } catch (err) {
    const e = err as { pipedFrom?: { exitCode?: number; stderr?: unknown; failed?: boolean }[]; exitCode?: number; stderr?: unknown };
    const cancelled = controller.signal.aborted;
    const from = e.pipedFrom?.[0];
    if (from?.failed) throw logFailure(opts.signal, new ToolError({ tool: producer[0], args: producer[1], exitCode: from.exitCode ?? null, stderr: String(from.stderr ?? ''), cancelled }));
    throw logFailure(opts.signal, new ToolError({ tool: consumer[0], args: consumer[1], exitCode: e.exitCode ?? null, stderr: String(e.stderr ?? ''), cancelled }));
  } finally {
    running.delete(controller);
    opts.signal?.removeEventListener('abort', onOuter);
  }
}
