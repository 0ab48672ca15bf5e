// Starts `iios serve` as a child process (the real CLI), waits for its URL, and stops it again.
// Builds the renderer first when dist/renderer is missing or stale, so a UI test runs from a fresh clone.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ensureRenderer } from '../../ensure-built.mjs';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** Builds dist/renderer when it is missing or older than its sources, as `iios serve` does (ensure-built.mjs). */
export async function ensureRendererBuilt(): Promise<void> {
  ensureRenderer(REPO_ROOT);
}

export interface ServeProcess {
  url: string;
  port: number;
  token: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/** Who `iios serve` runs as: root's own process by default, or a user (runuser, a clean environment as a login gives). */
export interface ServeAs {
  name: string;
  home: string;
}

export async function startServe(opts: { args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number; asUser?: ServeAs } = {}): Promise<ServeProcess> {
  const argv = [process.execPath, join(REPO_ROOT, 'src-main', 'cli', 'iios.mjs'), 'serve', ...(opts.args ?? [])];
  const user = opts.asUser;
  // As a user: only what a login gives (HOME, USER, a PATH without sbin folders) plus opts.env; runuser passes
  // SIGTERM on to iios serve, so stop() works the same.
  const userEnv = user ? ['/usr/bin/env', '-i', `HOME=${user.home}`, `USER=${user.name}`, 'PATH=/usr/local/bin:/usr/bin:/bin', ...Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`)] : [];
  const child = spawn(user ? 'runuser' : argv[0]!, user ? ['-u', user.name, '--', ...userEnv, ...argv] : argv.slice(1), {
    cwd: user ? user.home : REPO_ROOT,
    env: user ? process.env : { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const m = /open (http:\/\/127\.0\.0\.1:(\d+)\/#token=([\w-]+))/.exec(out);
    if (m) return { url: m[1]!, port: Number(m[2]), token: m[3]!, child, output: () => out, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`iios serve did not print its URL:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
