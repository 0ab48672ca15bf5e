// Whole processes side by side in one run, A and B in turn (A B A B …), on the same kind of target: `iios write`
// of a raw image against dd (bs=4M oflag=direct conv=fsync) and against etcher-sdk (its own harness, outside
// the project: IIOS_BENCH_ETCHER names its folder, default ../shared/bench/etcher-anchor beside the checkout),
// and four simulated sticks (IIOS_BENCH_SLOW_STICKS, default ../shared/bench/slow-sticks.sh: throttled loop
// devices) against the physical floor. Medians of IIOS_BENCH_PAIRS (default 3) pairs, the ratio taken pair by
// pair, and each process's peak RSS (GNU time). Printed, not asserted: the machine may be shared.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBuilt } from '../../ensure-built.mjs';
import { slowStickLines } from './slow-stick-lines.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'src-main', 'cli', 'iios.mjs');
const SHARED = [resolve(ROOT, '..', 'shared', 'bench'), resolve(ROOT, '..', '..', 'shared', 'bench')].find((d) => existsSync(d));
const ETCHER = process.env.IIOS_BENCH_ETCHER ?? (SHARED && join(SHARED, 'etcher-anchor'));
const STICKS = process.env.IIOS_BENCH_SLOW_STICKS ?? (SHARED && join(SHARED, 'slow-sticks.sh'));
const PAIRS = Number(process.env.IIOS_BENCH_PAIRS ?? 3);
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const sh = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) => execFileSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } }).trim();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Run {
  wall: number;
  rssMiB: number;
}

/** One whole process under GNU time: wall seconds and the peak RSS of the largest process it waited for. */
function timed(argv: string[], env?: NodeJS.ProcessEnv): Run {
  const out = join(tmpdir(), `iios-bench-time-${process.pid}`);
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', out, ...argv], { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const [wall, kib] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  rmSync(out, { force: true });
  return { wall: wall!, rssMiB: kib! / 1024 };
}

interface Pair {
  a: Run[];
  b: Run[];
}

/** A and B in turn, `PAIRS` times, after `before` (fresh targets) each. */
function pairs(a: () => string[], b: () => string[], before: () => void = () => undefined): Pair {
  const out: Pair = { a: [], b: [] };
  for (let i = 0; i < PAIRS; i++) {
    before();
    out.a.push(timed(a()));
    before();
    out.b.push(timed(b()));
  }
  return out;
}

const rows: string[][] = [['job', 'iios', 'other', 'other is', 'iios / other (wall)', 'iios peak RSS']];
/** A row of the final table, also printed at once (a long run shows what it has measured so far). */
function add(r: string[]): void {
  rows.push(r);
  process.stdout.write(`  ${r.filter((c) => c).join(' | ')}\n`);
}
function row(job: string, p: Pair, other: string): void {
  const ratio = median(p.a.map((r, i) => r.wall / p.b[i]!.wall));
  add([job, `${median(p.a.map((r) => r.wall)).toFixed(2)} s`, `${median(p.b.map((r) => r.wall)).toFixed(2)} s`, other, ratio.toFixed(2), `${median(p.a.map((r) => r.rssMiB)).toFixed(0)} MiB`]);
}

/** `size`: for image-file targets that do not exist yet. */
const iiosWrite = (image: string, targets: string[], verify: boolean, size?: string) => ['node', CLI, 'write', '--profile', 'raw', '--image', image, ...targets.flatMap((t) => ['--target', t]), ...(size ? ['--size', size] : []), '--yes', ...(verify ? [] : ['--no-verify'])];
const dd = (image: string, target: string) => ['dd', `if=${image}`, `of=${target}`, 'bs=4M', 'oflag=direct', 'conv=fsync', 'status=none'];
const etcher = (image: string, targets: string[], verify: boolean) => ['node', join(ETCHER!, 'flash.cjs'), image, ...targets, ...(verify ? ['--verify'] : [])];
const haveEtcher = () => !!ETCHER && existsSync(join(ETCHER, 'node_modules', 'etcher-sdk'));

/** Only the slow-stick lines (IIOS_BENCH_ONLY=slow-sticks). */
export async function slowSticksOnly(): Promise<void> {
  ensureBuilt(ROOT, ['cli', 'helper']);
  if (!STICKS || !existsSync(STICKS)) throw new Error('no slow-sticks.sh (IIOS_BENCH_SLOW_STICKS)');
  const work = mkdtempSync(join(process.env.IIOS_BENCH_DIR ?? tmpdir(), 'iios-sticks-'));
  try {
    await slowStickLines(work, STICKS, add);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  printTable();
}

function printTable(): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [n, r] of rows.entries()) {
    process.stdout.write(r.map((c, i) => c.padEnd(widths[i]!)).join('  ') + '\n');
    if (n === 0) process.stdout.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  }
}

export async function sideBySide(): Promise<void> {
  ensureBuilt(ROOT, ['cli', 'helper']);
  const work = mkdtempSync(join(process.env.IIOS_BENCH_DIR ?? tmpdir(), 'iios-side-'));
  const loops: string[] = [];
  const loop = (name: string, bytes: number) => {
    const f = join(work, name);
    sh('truncate', ['-s', String(bytes), f]);
    const d = sh('losetup', ['-f', '--show', f]);
    loops.push(d);
    return d;
  };
  try {
    process.stdout.write(`side by side: ${PAIRS} pairs each, whole processes, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores\n`);
    const img = join(work, 'random-1g.img');
    sh('dd', ['if=/dev/urandom', `of=${img}`, 'bs=4M', `count=${GiB / (4 * MiB)}`, 'status=none']);
    const [la, lb] = [loop('a.raw', GiB + 64 * MiB), loop('b.raw', GiB + 64 * MiB)];
    const plain = pairs(() => iiosWrite(img, [la], false), () => dd(img, lb));
    row('1 GiB raw → loop, no verify', plain, 'dd');
    const verified = pairs(() => iiosWrite(img, [la], true), () => dd(img, lb));
    row('1 GiB raw → loop, verified', verified, 'dd (unverified)');
    // The goals: iios at least 0.9x dd's speed (iios / dd wall at most 1.11), verify adding at most 30%.
    const speed = median(plain.a.map((r, i) => plain.b[i]!.wall / r.wall));
    const adds = median(verified.a.map((r, i) => r.wall / plain.a[i]!.wall)) - 1;
    add(['  goals (loop device)', `${speed.toFixed(2)}x dd's speed`, '(goal ≥ 0.90)', `verify adds ${(adds * 100).toFixed(0)}%`, '(goal ≤ 30%)', '']);
    if (STICKS && existsSync(STICKS) && haveEtcher()) sticks(img, work);
    if (STICKS && existsSync(STICKS) && process.env.IIOS_BENCH_STICK_RUNS !== '0') await slowStickLines(work, STICKS, add);
    if (haveEtcher()) {
      row('1 GiB raw → loop, no verify', pairs(() => iiosWrite(img, [la], false), () => etcher(img, [lb], false)), 'etcher-sdk');
      row('1 GiB raw → loop, verified', pairs(() => iiosWrite(img, [la], true), () => etcher(img, [lb], true)), 'etcher-sdk verified');
    }
    const fa = join(work, 'fa.img');
    const fb = join(work, 'fb.img');
    const fresh = () => {
      rmSync(fa, { force: true });
      rmSync(fb, { force: true });
      sh('truncate', ['-s', String(GiB + 64 * MiB), fb]);
    };
    row('1 GiB raw → image file, no verify', pairs(() => iiosWrite(img, [fa], false, '1100M'), () => dd(img, fb).map((x) => (x === 'conv=fsync' ? 'conv=fsync,notrunc' : x)), fresh), 'dd');
    // Memory stays flat whatever the size: a 4 GiB image (1 GiB of data, then zeros) onto an image file.
    const big = join(work, 'big-4g.img');
    sh('cp', [img, big]);
    sh('truncate', ['-s', String(4 * GiB), big]);
    fresh();
    const rss4 = timed(iiosWrite(big, [fa], true, '4200M'));
    fresh();
    const rss1 = timed(iiosWrite(img, [fa], true, '1100M'));
    add(['peak RSS, verified write to an image file', `1 GiB: ${rss1.rssMiB.toFixed(0)} MiB`, `4 GiB: ${rss4.rssMiB.toFixed(0)} MiB`, '', '', '']);
    rmSync(big, { force: true });
    rmSync(fa, { force: true });
  } finally {
    for (const l of loops) spawnSync('losetup', ['-d', l]);
    rmSync(work, { recursive: true, force: true });
  }
  printTable();
  process.stdout.write('iios / other < 1: iios took less time. Whole processes: the iios CLI, its helper, checks and preflight included.\n');
}

/** Four simulated sticks (40 MB/s write, 120 MB/s read), 512 MiB raw verified: iios and etcher-sdk against the floor. */
function sticks(img: string, work: string): void {
  const W = 40;
  const R = 120;
  const half = join(work, 'random-512m.img');
  sh('dd', [`if=${img}`, `of=${half}`, 'bs=4M', 'count=128', 'status=none']);
  const env = { SLOW_STICKS_DIR: process.env.SLOW_STICKS_DIR ?? join(work, 'sticks') };
  const devs = sh(STICKS!, ['up', '4', String(GiB), String(W), String(R)], env).split('\n');
  try {
    const floor = (512 * MiB) / 1e6 / W + (512 * MiB) / 1e6 / R;
    const p = pairs(
      () => [STICKS!, 'run', ...iiosWrite(half, devs, true)],
      () => [STICKS!, 'run', ...etcher(half, devs, true)],
    );
    row(`4 sticks (${W}/${R} MB/s), 512 MiB, verified`, p, 'etcher-sdk');
    add(['  against the floor (write + read back)', `${(median(p.a.map((r) => r.wall)) / floor).toFixed(2)}x`, `${(median(p.b.map((r) => r.wall)) / floor).toFixed(2)}x`, `floor ${floor.toFixed(1)} s`, '', '']);
  } finally {
    sh(STICKS!, ['down'], env);
  }
}
