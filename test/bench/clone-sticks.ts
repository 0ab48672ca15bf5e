// `IIOS_BENCH_ONLY=clone npm run bench`: `iios clone` of an 8 GiB classroom stick that is 10% full (the demo
// system plus ~800 MiB of pupils' files in @home) onto one and onto four simulated sticks, beside `dd` of the
// whole device, in one run, source and targets at one speed (../shared/bench/slow-sticks.sh: throttled loop
// devices, 40 MB/s write and 120 MB/s read unless IIOS_BENCH_STICK_WRITE / _READ say otherwise). The iios sides
// run IIOS_BENCH_CLONE_RUNS times (default 3, 1 and 4 targets in turn); dd runs once (8 GiB at 40 MB/s is
// ~215 s). Each clone's phases come from the helper's own events (--json); each device's bytes from the kernel's
// counters, beside what the throttle saw of them. The blkio throttle of cgroup v1 does not see buffered
// writeback (a mounted Btrfs's writes, mtools's): the kernel charges it to the root cgroup, outside
// slow-sticks.sh's. So the same limits are also set on the root cgroup for these five devices only (removed at
// the end; IIOS_BENCH_ROOT_THROTTLE=0 leaves them off), and the printout says how many of each device's bytes
// went through a throttle. Printed, not asserted. SLOW_STICKS_DIR names the sticks' folder.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBuilt } from '../../ensure-built.mjs';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { deviceBytes, majMin, ROOT_THROTTLE, rootThrottle, throttledBytes } from './stick-throttle.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'src-main', 'cli', 'iios.mjs');
const ARTIFACTS = join(ROOT, 'test-artifacts', 'bench-clone');
const SHARED = [resolve(ROOT, '..', 'shared', 'bench'), resolve(ROOT, '..', '..', 'shared', 'bench')].find((d) => existsSync(d));
const STICKS = process.env.IIOS_BENCH_SLOW_STICKS ?? (SHARED && join(SHARED, 'slow-sticks.sh'));
const W = Number(process.env.IIOS_BENCH_STICK_WRITE ?? 40);
const R = Number(process.env.IIOS_BENCH_STICK_READ ?? 120);
const RUNS = Number(process.env.IIOS_BENCH_CLONE_RUNS ?? 3);
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const STICK_BYTES = 8 * GiB;
const CONTENT_FILES = 8;
const CONTENT_FILE_MiB = 100;

const sh = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) => execFileSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } }).trim();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Counters {
  dev: Map<string, { read: number; written: number }>;
  throttled: Map<string, { read: number; written: number }>;
}
function counters(devs: string[]): Counters {
  return { dev: new Map(devs.map((d) => [d, deviceBytes(d)])), throttled: throttledBytes() };
}
/** Per device: bytes read/written between two counter snapshots, all and throttled. */
function delta(devs: string[], a: Counters, b: Counters) {
  return devs.map((d) => {
    const mm = majMin(d);
    const ta = a.throttled.get(mm) ?? { read: 0, written: 0 };
    const tb = b.throttled.get(mm) ?? { read: 0, written: 0 };
    return {
      dev: d,
      read: b.dev.get(d)!.read - a.dev.get(d)!.read,
      written: b.dev.get(d)!.written - a.dev.get(d)!.written,
      throttledRead: tb.read - ta.read,
      throttledWritten: tb.written - ta.written,
    };
  });
}

/** The page cache of every stick dropped, so no run reads what an earlier one left in memory. */
function flush(devs: string[]): void {
  for (const d of devs) sh('blockdev', ['--flushbufs', d]);
}

interface CloneRun {
  wall: number;
  /** CPU seconds of iios and every tool it waited for (not the kernel's own threads: loop, Btrfs workers). */
  cpu: number;
  /** The computer's 1-minute load average at the end (the machine may be shared). */
  load: number;
  /** Seconds each phase took, summed over the target whose clone ended last. */
  phases: [string, number][];
  io: ReturnType<typeof delta>;
}

/** Phase durations of the last target to finish, from the helper's phase events (each runs until the next). */
function phaseTimes(lines: { kind: string; time: string; targetId?: string; phase?: string }[]): [string, number][] {
  const byTarget = new Map<string, { phase: string; at: number }[]>();
  let end = 0;
  for (const l of lines) {
    const at = Date.parse(l.time);
    end = Math.max(end, at);
    if (l.kind === 'phase' && l.targetId && l.phase) byTarget.set(l.targetId, [...(byTarget.get(l.targetId) ?? []), { phase: l.phase, at }]);
  }
  const last = [...byTarget.values()].sort((a, b) => b.at(-1)!.at - a.at(-1)!.at)[0] ?? [];
  const sums = new Map<string, number>();
  for (const [i, p] of last.entries()) sums.set(p.phase, (sums.get(p.phase) ?? 0) + ((last[i + 1]?.at ?? end) - p.at) / 1000);
  return [...sums];
}

function cloneOnce(source: string, targets: string[], all: string[]): CloneRun {
  flush(all);
  const before = counters(all);
  const t0 = process.hrtime.bigint();
  const cpuFile = join(tmpdir(), `iios-bench-clone-cpu-${process.pid}`);
  const r = spawnSync(STICKS!, ['run', '/usr/bin/time', '-f', '%U %S', '-o', cpuFile, 'node', CLI, 'clone', source, ...targets.flatMap((t) => ['--target', t]), '--name', 'bench-{nn}', '--yes', '--json'], {
    encoding: 'utf8',
    maxBuffer: 256 * MiB,
    env: { ...process.env },
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`iios clone failed (${r.status}): ${r.stderr.slice(-3000)}`);
  const after = counters(all);
  const [user, system] = readFileSync(cpuFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  rmSync(cpuFile, { force: true });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; time: string; targetId?: string; phase?: string });
  // the run's events but progress, for a look at where the time went
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, `${targets.length}-targets-${Date.now()}.jsonl`), lines.filter((l) => l.kind !== 'progress').map((l) => JSON.stringify(l)).join('\n') + '\n');
  const done = lines.find((l) => l.kind === 'done') as { results?: { ok: boolean; verified: boolean }[] } | undefined;
  if (!done?.results?.every((x) => x.ok && x.verified)) throw new Error(`iios clone did not verify every target: ${JSON.stringify(done)}`);
  return { wall, cpu: user! + system!, load: loadavg()[0]!, phases: phaseTimes(lines), io: delta(all, before, after) };
}

/** The source: a classroom stick written by iios (not throttled: setting up is not measured), then ~800 MiB of files in @home. */
function makeSource(dev: string, work: string, bundle: string): void {
  sh('node', [CLI, 'write', '--profile', 'classroom', '--bundle', bundle, '--target', dev, '--name', 'class-src', '--yes']);
  const table = JSON.parse(sh('sfdisk', ['--json', dev])) as { partitiontable: { partitions: { start: number; size: number; name?: string }[] } };
  const sys = table.partitiontable.partitions.find((p) => p.name === 'iios-system')!;
  const loop = sh('losetup', ['-f', '--show', '-o', String(sys.start * 512), '--sizelimit', String(sys.size * 512), dev]);
  const mnt = mkdtempSync(join(work, 'iios-mnt-'));
  try {
    sh('mount', [loop, mnt]);
    try {
      sh('mkdir', ['-p', join(mnt, '@home/pupil')]);
      for (let i = 1; i <= CONTENT_FILES; i++) {
        sh('dd', ['if=/dev/urandom', `of=${join(mnt, `@home/pupil/work-${i}.bin`)}`, 'bs=4M', `count=${CONTENT_FILE_MiB / 4}`, 'status=none']);
      }
      sh('sync', ['-f', mnt]);
      say(`source: ${sh('df', ['-h', '--output=size,used', mnt]).split('\n').at(-1)!.trim().replace(/\s+/, ' size, ')} used on iios-system (btrfs)`);
    } finally {
      sh('umount', [mnt]);
    }
  } finally {
    spawnSync('losetup', ['-d', loop]);
    rmSync(mnt, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;

function report(label: string, runs: CloneRun[]): void {
  const walls = runs.map((r) => r.wall);
  say(`${label}: ${walls.map((w) => w.toFixed(1)).join(' / ')} s (median ${median(walls).toFixed(1)} s)`);
  const mid = runs.find((r) => r.wall === median(walls))!;
  say(`  CPU (user + system, iios and its tools): ${runs.map((r) => r.cpu.toFixed(1)).join(' / ')} s; load average after each: ${runs.map((r) => r.load.toFixed(1)).join(' / ')}`);
  say(`  phases of the median run (last target to finish): ${mid.phases.map(([p, s]) => `${p} ${s.toFixed(1)} s`).join(', ')}`);
  for (const d of mid.io.filter((x) => x.read + x.written > 0)) {
    say(`  ${d.dev}: read ${mb(d.read)} (${mb(d.throttledRead)} throttled), written ${mb(d.written)} (${mb(d.throttledWritten)} throttled)`);
  }
  // Bytes the throttle did not see still take a real stick's time: the slowest device at stick speed.
  const floor = Math.max(...mid.io.map((d) => d.written / 1e6 / W + d.read / 1e6 / R));
  say(`  the slowest device's bytes at ${W}/${R} MB/s take ${floor.toFixed(1)} s (a lower bound on a real stick)`);
}

export async function cloneSticks(): Promise<void> {
  if (!STICKS || !existsSync(STICKS)) {
    say('clone bench skipped: no ../shared/bench/slow-sticks.sh (IIOS_BENCH_SLOW_STICKS names it)');
    return;
  }
  ensureBuilt(ROOT, ['cli', 'helper']);
  const bundle = await ensureDemoBundle();
  const work = mkdtempSync(join(process.env.IIOS_BENCH_DIR ?? tmpdir(), 'iios-bench-clone-'));
  const env = { SLOW_STICKS_DIR: process.env.SLOW_STICKS_DIR ?? join(work, 'sticks') };
  let devs: string[] = [];
  let rootLimited: string[] = [];
  try {
    devs = sh(STICKS, ['up', '5', String(STICK_BYTES), String(W), String(R)], env).split('\n');
    const [source, ...targets] = devs as [string, ...string[]];
    say(`clone bench: 5 sticks of 8 GiB at ${W} MB/s write, ${R} MB/s read (${env.SLOW_STICKS_DIR}); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    makeSource(source, work, bundle);
    if (ROOT_THROTTLE) {
      rootThrottle(devs, W, R);
      rootLimited = devs;
      say('  writeback is throttled too (the same limits on the root cgroup for these devices)');
    } else say('  writeback is NOT throttled (IIOS_BENCH_ROOT_THROTTLE=0): buffered writes reach the sticks at disk speed');
    const one: CloneRun[] = [];
    const four: CloneRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      one.push(cloneOnce(source, [targets[0]!], devs));
      say(`  run ${i + 1}: 1 target ${one.at(-1)!.wall.toFixed(1)} s`);
      four.push(cloneOnce(source, targets, devs));
      say(`  run ${i + 1}: 4 targets ${four.at(-1)!.wall.toFixed(1)} s`);
    }
    // dd last, once (IIOS_BENCH_CLONE_DD=0 leaves it out while profiling the clone)
    let dd = NaN;
    if (process.env.IIOS_BENCH_CLONE_DD !== '0') {
      flush(devs);
      const before = counters(devs);
      const t0 = process.hrtime.bigint();
      sh(STICKS, ['run', 'dd', `if=${source}`, `of=${targets[0]}`, 'bs=4M', 'iflag=direct', 'oflag=direct', 'conv=fsync', 'status=none'], env);
      dd = Number(process.hrtime.bigint() - t0) / 1e9;
      const ddIo = delta(devs, before, counters(devs));
      say('');
      say(`dd of the whole 8 GiB device (bs=4M, direct, once): ${dd.toFixed(1)} s (${(STICK_BYTES / 1e6 / dd).toFixed(1)} MB/s; ${mb(ddIo[1]!.throttledWritten)} of ${mb(ddIo[1]!.written)} written throttled)`);
    }
    report('iios clone → 1 target', one);
    report('iios clone → 4 targets', four);
    const m1 = median(one.map((r) => r.wall));
    const m4 = median(four.map((r) => r.wall));
    say(`dd / iios (1 target): ${Number.isNaN(dd) ? 'dd not run' : `${(dd / m1).toFixed(1)}x`} (goal ≥ 10x); 4 targets / 1 target: ${(m4 / m1).toFixed(2)}x (goal ≤ 1.2x)`);
  } finally {
    if (rootLimited.length) rootThrottle(rootLimited, 0, 0);
    if (devs.length) spawnSync(STICKS, ['down'], { env: { ...process.env, ...env }, stdio: 'inherit' });
    rmSync(work, { recursive: true, force: true });
  }
}
