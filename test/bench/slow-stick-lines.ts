// The slow-stick lines of `npm run bench` (issue 17), on simulated sticks (../shared/bench/slow-sticks.sh:
// throttled loop devices; SLOW_STICKS_DIR names its folder, default one of our own under the bench's work dir):
// - eight sticks at 20 MB/s write, 80 MB/s read, the appliance profile with the demo bundle and 512 MiB of
//   cache files, verified: the batch's time against its physical floor (bytes written / write speed + bytes
//   read / read speed, as the kernel counted them on the slowest stick; goal at most 1.10x);
// - the same profile onto one 8 GiB and one 64 GiB stick: the 64 GiB one's time against the 8 GiB one's (goal
//   at most 1.1x: nothing is written or discarded beyond the content);
// - three sticks at 40 MB/s and one at 5 MB/s, 256 MiB raw, verified: each fast stick's time to done (its
//   target-done event) against its own floor (goal at most 1.2x: a slow stick holds back no one).
// Whole `iios write` processes, IIOS_BENCH_STICK_RUNS runs each (default 3), medians. Printed, not asserted.
// IIOS_BENCH_STICK_LINES picks lines (comma-separated: eight, sizes, one-slow; default all).
// The sticks' limits are set on the root cgroup too (stick-throttle.ts), so writeback runs at stick speed; each
// run's events but progress go to test-artifacts/bench-sticks/, and the eight-stick line prints where the median
// run spent its time (phase-timeline.ts).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { phaseTimeline, type TimedLine } from './phase-timeline.ts';
import { deviceBytes, majMin, ROOT_THROTTLE, rootThrottle, throttledBytes } from './stick-throttle.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const ARTIFACTS = join(ROOT, 'test-artifacts', 'bench-sticks');
const CLI = join(ROOT, 'src-main', 'cli', 'iios.mjs');
const BUNDLE = join(ROOT, '.cache', 'demo-os', 'bundle');
const RUNS = Number(process.env.IIOS_BENCH_STICK_RUNS ?? 3);
const LINES = (process.env.IIOS_BENCH_STICK_LINES ?? 'eight,sizes,one-slow').split(',');
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

const sh = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) => execFileSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } }).trim();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface StickRun {
  wall: number;
  /** Seconds from the start to each target's done event, by device. */
  doneAt: Record<string, number>;
  /** Bytes read and written on each device during the run. */
  io: Record<string, { read: number; written: number }>;
  /** Of those, the bytes a throttle saw (all of them when the root cgroup is limited too). */
  throttled: Record<string, { read: number; written: number }>;
  /** Where the time went, phase by phase (phase-timeline.ts). */
  timeline: string[];
  /** CPU seconds (user + system) of iios and every tool it waited for; not the kernel's loop and Btrfs workers. */
  cpu: number;
}

/** One `iios write --json` inside the throttled cgroup, with each target's time to done. */
async function runWrite(sticks: string, env: NodeJS.ProcessEnv, args: string[], devs: string[]): Promise<StickRun> {
  for (const d of devs) sh('blockdev', ['--flushbufs', d]);
  const before = Object.fromEntries(devs.map((d) => [d, deviceBytes(d)]));
  const throttledBefore = throttledBytes();
  const epoch = Date.now();
  const t0 = performance.now();
  const cpuFile = join(ARTIFACTS, `cpu-${process.pid}`);
  mkdirSync(ARTIFACTS, { recursive: true });
  const child = spawn(sticks, ['run', '/usr/bin/time', '-f', '%U %S', '-o', cpuFile, 'node', CLI, 'write', ...args, ...devs.flatMap((d) => ['--target', d]), '--yes', '--json'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const doneAt: Record<string, number> = {};
  const lines: TimedLine[] = [];
  let rest = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  child.stdout.on('data', (d: Buffer) => {
    const chunk = (rest + d.toString()).split('\n');
    rest = chunk.pop()!;
    for (const text of chunk) {
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as TimedLine;
      if (line.kind !== 'progress') lines.push(line);
      if (line.kind !== 'target-done') continue;
      const dev = devs.find((x) => line.target === x);
      if (dev && doneAt[dev] === undefined) doneAt[dev] = (performance.now() - t0) / 1000;
    }
  });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const wall = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`iios write failed (${code}): ${err}`);
  const [user, system] = readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  rmSync(cpuFile, { force: true });
  writeFileSync(join(ARTIFACTS, `${devs.length}-sticks-${epoch}.jsonl`), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const io = Object.fromEntries(devs.map((d) => {
    const a = deviceBytes(d);
    return [d, { read: a.read - before[d]!.read, written: a.written - before[d]!.written }];
  }));
  const throttledAfter = throttledBytes();
  const throttled = Object.fromEntries(devs.map((d) => {
    const mm = majMin(d);
    const [a, b] = [throttledBefore.get(mm) ?? { read: 0, written: 0 }, throttledAfter.get(mm) ?? { read: 0, written: 0 }];
    return [d, { read: b.read - a.read, written: b.written - a.written }];
  }));
  return { wall, doneAt, io, throttled, timeline: phaseTimeline(lines, epoch), cpu: user! + system! };
}

const floorOf = (io: { read: number; written: number }, w: number, r: number) => io.written / 1e6 / w + io.read / 1e6 / r;

export async function slowStickLines(work: string, sticksScript: string, add: (cells: string[]) => void): Promise<void> {
  if (!existsSync(join(BUNDLE, 'manifest.json'))) {
    add(['slow sticks: no demo bundle (npm run build:demo)', '', '', '', '', '']);
    return;
  }
  const env = { SLOW_STICKS_DIR: process.env.SLOW_STICKS_DIR ?? join(work, 'sticks') };
  const cache = join(work, 'cache-files');
  mkdirSync(cache, { recursive: true });
  for (let i = 0; i < 16; i++) sh('dd', ['if=/dev/urandom', `of=${join(cache, `f${i}.bin`)}`, 'bs=4M', 'count=8', 'status=none']);
  const appliance = ['--profile', 'appliance', '--bundle', BUNDLE, '--cache', `files=${cache}`];
  let limited: string[] = [];
  const up = (n: number, size: number, w: number, r: number) => {
    const devs = sh(sticksScript, ['up', String(n), String(size), String(w), String(r)], env).split('\n');
    if (ROOT_THROTTLE) {
      rootThrottle(devs, w, r);
      limited = [...limited, ...devs];
    }
    return devs;
  };
  const down = () => {
    rootThrottle(limited, 0, 0);
    limited = [];
    sh(sticksScript, ['down'], env);
  };
  process.stdout.write(`slow sticks: ${RUNS} run(s) each, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

  // Eight sticks, appliance + 512 MiB of cache files, verified.
  if (LINES.includes('eight')) try {
    const devs = up(8, 8 * GiB, 20, 80);
    const runs: StickRun[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runWrite(sticksScript, env, appliance, devs));
    const ratios = runs.map((r) => r.wall / Math.max(...devs.map((d) => floorOf(r.io[d]!, 20, 80))));
    const last = runs.at(-1)!.io[devs[0]!]!;
    const mid = runs.find((r) => r.wall === median(runs.map((x) => x.wall)))!;
    process.stdout.write(`  8 sticks: ${runs.map((r) => r.wall.toFixed(1)).join(' / ')} s (CPU of iios and its tools ${runs.map((r) => r.cpu.toFixed(1)).join(' / ')} s); load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')}; root cgroup ${ROOT_THROTTLE ? 'throttled too' : 'NOT throttled'}\n`);
    for (const d of devs) {
      const [io, th] = [mid.io[d]!, mid.throttled[d]!];
      process.stdout.write(`  ${d}: written ${(io.written / MiB).toFixed(0)} MiB (${(th.written / MiB).toFixed(0)} throttled), read ${(io.read / MiB).toFixed(0)} MiB (${(th.read / MiB).toFixed(0)} throttled), done at ${mid.doneAt[d]?.toFixed(1) ?? '?'} s\n`);
    }
    for (const l of mid.timeline) process.stdout.write(`  ${l}\n`);
    add(['8 sticks (20/80 MB/s), appliance + 512 MiB cache, verified', `${median(runs.map((r) => r.wall)).toFixed(1)} s`, `floor ${median(runs.map((r, k) => r.wall / ratios[k]!)).toFixed(1)} s`, `${(last.written / MiB).toFixed(0)} MiB written, ${(last.read / MiB).toFixed(0)} MiB read per stick`, `${median(ratios).toFixed(2)}x floor (goal ≤ 1.10)`, '']);
  } finally {
    down();
  }

  // The appliance onto an 8 GiB and a 64 GiB stick, one after the other.
  if (LINES.includes('sizes')) try {
    const [small, big] = [up(1, 8 * GiB, 20, 80)[0]!, up(1, 64 * GiB, 20, 80)[0]!];
    const s: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      s.push((await runWrite(sticksScript, env, appliance, [small])).wall);
      b.push((await runWrite(sticksScript, env, appliance, [big])).wall);
    }
    add(['appliance onto 64 GiB vs 8 GiB stick (20/80 MB/s)', `${median(b).toFixed(1)} s`, `${median(s).toFixed(1)} s`, '8 GiB stick', `${median(b.map((x, i) => x / s[i]!)).toFixed(2)}x (goal ≤ 1.1)`, '']);
  } finally {
    down();
  }

  // Three fast sticks and one slow one, 256 MiB raw, verified.
  if (!LINES.includes('one-slow')) return;
  const img = join(work, 'random-256m.img');
  sh('dd', ['if=/dev/urandom', `of=${img}`, 'bs=4M', 'count=64', 'status=none']);
  try {
    const fast = up(3, GiB, 40, 120);
    const slow = up(1, GiB, 5, 120);
    const runs: StickRun[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runWrite(sticksScript, env, ['--profile', 'raw', '--image', img], [...fast, ...slow]));
    const worst = runs.map((r) => Math.max(...fast.map((d) => (r.doneAt[d] ?? r.wall) / floorOf(r.io[d]!, 40, 120))));
    const fastDone = runs.map((r) => Math.max(...fast.map((d) => r.doneAt[d] ?? r.wall)));
    const r0 = runs.at(-1)!;
    process.stdout.write(`  3 fast + 1 slow, last run: ${[...fast, ...slow].map((d) => `${d} done at ${r0.doneAt[d]?.toFixed(1) ?? '?'} s`).join(', ')}; load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
    for (const l of r0.timeline) process.stdout.write(`  ${l}\n`);
    add(['3 fast (40 MB/s) + 1 slow (5 MB/s) stick, 256 MiB raw, verified', `fast done ${median(fastDone).toFixed(1)} s`, `slow done ${median(runs.map((r) => r.doneAt[slow[0]!] ?? r.wall)).toFixed(1)} s`, `floor of a fast stick ${floorOf(r0.io[fast[0]!]!, 40, 120).toFixed(1)} s`, `${median(worst).toFixed(2)}x its floor, slowest fast stick (goal ≤ 1.2)`, '']);
  } finally {
    down();
  }
}
