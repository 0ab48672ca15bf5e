// Start-up of the two processes a job starts (issue: "built entry points that start in milliseconds"):
// `node src-main/cli/iios.mjs --version` from spawn to exit, and the helper from spawn to its hello on the app's
// socket. Both run the built bundles (rebuilt first when stale, outside the timing). Beside them, for scale:
// bare `node -e 0` (the machine's floor right now) and, when tsx is installed, the same two from the TypeScript
// sources through tsx, the way iios started before it ran bundles.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { helperCommand } from '../../src-main/services/elevation/elevation.ts';
import { ensureBuilt } from '../../ensure-built.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'src-main', 'cli', 'iios.mjs');
export const CLI_GOAL_S = 0.3;
export const HELPER_GOAL_S = 0.5;

const nowS = () => Number(process.hrtime.bigint()) / 1e9;

/** Wall seconds of one whole process, spawn to exit; throws when it fails. */
function processSeconds(file: string, args: string[]): number {
  const t0 = nowS();
  const r = spawnSync(file, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const s = nowS() - t0;
  if (r.status !== 0) throw new Error(`${[file, ...args].join(' ')} failed (${r.status}): ${r.stderr}`);
  return s;
}

/** Seconds from spawning the helper (`file args`) to its hello on a fresh socket; then closes it (it exits). */
export async function helperReadySeconds(file: string, args: string[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'iios-bench-helper-'));
  const sock = join(dir, 'helper.sock');
  let t0 = 0;
  const hello = new Promise<number>((resolveHello, reject) => {
    const server = createServer((s) => {
      s.setEncoding('utf8');
      let buf = '';
      s.on('data', (d: string) => {
        buf += d;
        if (!buf.includes('\n')) return;
        const t = nowS() - t0;
        const msg = JSON.parse(buf.slice(0, buf.indexOf('\n'))) as { type?: string; token?: string };
        s.destroy(); // the helper cancels and exits when its socket closes
        server.close();
        if (msg.type === 'hello') resolveHello(t);
        else reject(new Error(`the helper's first message was not its hello: ${buf}`));
      });
    });
    server.listen(sock, () => {
      t0 = nowS();
      const child = spawn(file, [...args, '--socket', sock], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => setTimeout(() => reject(new Error(`the helper exited (${code}) before its hello: ${stderr}`)), 50));
    });
  });
  try {
    return await hello;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Spread {
  median: number;
  max: number;
}
function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, max: s.at(-1)! };
}

async function repeat(runs: number, fn: () => number | Promise<number>): Promise<Spread> {
  await fn(); // warm-up: file cache, and a stale bundle is rebuilt outside the figures
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await fn());
  return spread(xs);
}

export async function startup(runs = Number(process.env.IIOS_BENCH_STARTUP_RUNS ?? 7)): Promise<void> {
  ensureBuilt(ROOT, ['cli', 'helper']);
  const helper = helperCommand({ root: ROOT });
  const tsx = existsSync(join(ROOT, 'node_modules', 'tsx'));
  const rows: [string, Spread, number | null][] = [
    ['node -e 0 (this machine, now)', await repeat(runs, () => processSeconds(process.execPath, ['-e', '0'])), null],
    ['iios --version (built)', await repeat(runs, () => processSeconds(process.execPath, [CLI, '--version'])), CLI_GOAL_S],
    ['helper ready on its socket (built)', await repeat(runs, () => helperReadySeconds(helper.file, helper.args)), HELPER_GOAL_S],
  ];
  if (tsx) {
    rows.push(['iios --version (sources through tsx)', await repeat(3, () => processSeconds(process.execPath, ['--import', 'tsx', join(ROOT, 'src-main/cli/main.ts'), '--version'])), null]);
    rows.push(['helper ready (sources through tsx)', await repeat(3, () => helperReadySeconds(process.execPath, ['--import', 'tsx', join(ROOT, 'helpers/main.ts')])), null]);
  }
  process.stdout.write(`start-up (wall seconds, spawn to exit or to hello; median and worst of ${runs} runs, 3 for tsx):\n`);
  const width = Math.max(...rows.map(([label]) => label.length));
  const floor = rows[0]![1].median;
  for (const [n, [label, { median, max }, goal]] of rows.entries()) {
    const over = n === 0 ? '' : `  (bare node +${(median - floor).toFixed(3)} s)`;
    const verdict = goal === null ? '' : median < goal ? `  goal < ${goal} s: met` : `  goal < ${goal} s: MISSED`;
    process.stdout.write(`  ${label.padEnd(width)}  median ${median.toFixed(3)} s, worst ${max.toFixed(3)} s${over}${verdict}\n`);
  }
  if (floor > 0.1) process.stdout.write(`  note: bare node takes ${floor.toFixed(2)} s here now: the machine is busy, so judge the goals by what iios adds to it\n`);
}
