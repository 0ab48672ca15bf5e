// The app's one runner for child processes (the helper has its own, helpers/tools/run.ts; neither imports the
// other): execa with argument arrays (never a shell string), LC_ALL=C so tools answer in the language their
// output is parsed in, and failures as a ToolError carrying the argv, exit code, stderr and whether it was a
// cancel. Short tools go through runTool / runToolBuffer; long-running children whose output is streamed
// (QEMU, the demo OS build, a decompressor read for its first bytes) are started through startTool.
// A normal user's PATH has no sbin folders, where sgdisk, mkfs.*, losetup, blockdev and sfdisk live: every tool
// gets them appended (after the user's own entries, so those still come first).
import { execa, type Options, type ResultPromise } from 'execa';

export class ToolError extends Error {
  constructor(
    readonly tool: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly cancelled = false,
  ) {
    const what = cancelled ? 'was cancelled' : `failed (exit ${exitCode ?? 'signal'})`;
    const detail = stderr.trim().split('\n').slice(-3).join(' | ');
    super(`${tool} ${what}${detail ? `: ${detail}` : ''}`);
    this.name = 'ToolError';
  }
}

export interface ToolOptions {
  signal?: AbortSignal;
  env?: Record<string, string>;
  /** Exit codes that count as success (default [0]). */
  okExitCodes?: number[];
  input?: string;
  /** working folder of the child (tools that write paths relative to where they run, as apt-ftparchive) */
  cwd?: string;
}

/** Folders with the system tools iios runs, that a non-root user's PATH usually lacks. */
export const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** `path` with each of SBIN_DIRS appended that it does not already hold (pure; an empty PATH gets /usr/bin and /bin too). */
export function toolPath(path: string | undefined): string {
  const entries = (path ?? '').split(':').filter(Boolean);
  if (entries.length === 0) entries.push('/usr/local/bin', '/usr/bin', '/bin');
  for (const dir of SBIN_DIRS) if (!entries.includes(dir)) entries.push(dir);
  return entries.join(':');
}

const common = (opts: ToolOptions) => ({
  reject: false,
  cancelSignal: opts.signal,
  env: { LC_ALL: 'C', ...opts.env, PATH: toolPath(opts.env?.PATH ?? process.env.PATH) },
  input: opts.input,
  cwd: opts.cwd,
  stripFinalNewline: false,
  maxBuffer: 256 * 1024 * 1024,
});

function check(file: string, args: readonly string[], opts: ToolOptions, r: { exitCode?: number; isCanceled: boolean; shortMessage?: string }, stderr: string): number {
  const code = r.exitCode ?? null;
  if (r.isCanceled) throw new ToolError(file, args, code, stderr, true);
  if (code === null || !(opts.okExitCodes ?? [0]).includes(code)) throw new ToolError(file, args, code, stderr || (r.shortMessage ?? ''));
  return code;
}

/** Runs `file args…` to completion; its output as text. Throws ToolError unless the exit code is an ok one. */
export async function runTool(file: string, args: readonly string[], opts: ToolOptions = {}): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const r = await execa(file, [...args], { ...common(opts), encoding: 'utf8' });
  const stderr = String(r.stderr ?? '');
  const exitCode = check(file, args, opts, r, stderr);
  return { stdout: String(r.stdout ?? ''), stderr, exitCode };
}

/** Like runTool, with stdout as bytes (a file read off a FAT filesystem, for instance). */
export async function runToolBuffer(file: string, args: readonly string[], opts: ToolOptions = {}): Promise<Buffer> {
  const r = await execa(file, [...args], { ...common(opts), encoding: 'buffer' });
  check(file, args, opts, r, Buffer.from(r.stderr as Uint8Array).toString());
  return Buffer.from(r.stdout as Uint8Array);
}

/** Starts a long-running child whose output the caller streams; the caller owns its result. */
export function startTool<O extends Options>(file: string, args: readonly string[], options: O): ResultPromise<{} & O> {
  return execa(file, [...args], { ...options, env: { ...options.env, PATH: toolPath(options.env?.PATH ?? process.env.PATH) } } as O);
}
