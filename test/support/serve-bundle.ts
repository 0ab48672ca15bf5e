// `iios serve` started from one esbuild bundle of the CLI (built once per test file under .cache/), so a
// test that has to start it many times (a fuzzer restarting a server a bad frame killed) pays ~0.3 s a
// start instead of the seconds tsx takes to transpile the sources. Same sources, same services.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import WebSocket from 'ws';
import { REPO_ROOT } from './serve.ts';

const OUT_DIR = join(REPO_ROOT, '.cache', 'test-serve');

/** Bundles src-main/cli/main.ts (packages stay imports from node_modules) and a one-line renderer page. */
export async function buildServeBundle(): Promise<{ cli: string; rendererDir: string }> {
  const cli = join(OUT_DIR, 'cli.mjs');
  await build({
    entryPoints: [join(REPO_ROOT, 'src-main/cli/main.ts')],
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  const rendererDir = join(OUT_DIR, 'renderer');
  await mkdir(rendererDir, { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><div id="root"></div>\n');
  return { cli, rendererDir };
}

export interface BundledServe {
  port: number;
  token: string;
  child: ChildProcess;
  output(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

export async function startBundledServe(bundle: { cli: string; rendererDir: string }): Promise<BundledServe> {
  const child = spawn(process.execPath, [bundle.cli, 'serve'], {
    cwd: REPO_ROOT,
    env: { ...process.env, IIOS_ROOT: REPO_ROOT, IIOS_RENDERER_DIR: bundle.rendererDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (alive()) child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /open http:\/\/127\.0\.0\.1:(\d+)\/#token=([\w-]+)/.exec(out);
    if (m) return { port: Number(m[1]), token: m[2]!, child, output: () => out, alive, stop };
    if (!alive() || Date.now() > deadline) {
      await stop();
      throw new Error(`iios serve (bundled) did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One valid request on a fresh connection: resolves true when app.info is answered in time. */
export function answersValidRequest(port: number, token: string, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      ws.terminate();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'invoke', id: 7, channel: 'app.info' })));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; id?: number; envelope?: { result?: { name?: string } } };
      if (msg.type === 'result' && msg.id === 7) done(msg.envelope?.result?.name === 'iios');
    });
    ws.on('error', () => done(false));
  });
}
