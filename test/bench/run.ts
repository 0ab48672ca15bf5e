// `npm run bench`: the helper's slot writer (helpers/io/fanout.ts) against `dd bs=4M oflag=direct` writing the
// same 1 GiB of random data to the same kind of target in the same run; read-back verify speed; one target vs
// four at once. Printed, not asserted. Needs root (loop devices). Everything it makes is removed at the end.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WriteTarget } from '../../src-shared/job/write-job.ts';
import type { PartitionPlan } from '../../src-shared/layout/index.ts';
import type { ImageProfile } from '../../src-shared/profile/image-profile.ts';
import { TargetCtx } from '../../helpers/context.ts';
import { fanOut } from '../../helpers/io/fanout.ts';
import { fileReader } from '../../helpers/io/reader.ts';
import { cacheKinds } from './cache-kinds.ts';
import { chunkHasher, ChunkDigests } from '../../helpers/io/chunk-hash.ts';
import { readBackChunks } from '../../helpers/io/read-back.ts';
import { driveListLatency } from './drive-latency.ts';
import { sideBySide, slowSticksOnly } from './side-by-side.ts';
import { startup } from './startup.ts';
import { cacheSetsBench } from './cache-sets.ts';
import { cloneSticks } from './clone-sticks.ts';

const SIZE = 1024 ** 3;
const REPEAT = Number(process.env.IIOS_BENCH_REPEAT ?? 2);
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();

const work = mkdtempSync(join(process.env.IIOS_BENCH_DIR ?? tmpdir(), 'iios-bench-'));
const loops: string[] = [];
let cleaned = false;
function cleanup(): void {
  if (cleaned) return;
  cleaned = true;
  for (const l of loops) {
    try {
      sh('losetup', ['-d', l]);
    } catch {
      /* already gone */
    }
  }
  rmSync(work, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

type Kind = 'image-file' | 'device';

/** A fresh target: a new sparse image file, or a loop device over a new sparse backing file. */
function freshTarget(kind: Kind, name: string): string {
  const file = join(work, `${name}.img`);
  rmSync(file, { force: true });
  sh('truncate', ['-s', String(SIZE + 64 * 1024 ** 2), file]);
  if (kind === 'image-file') return file;
  const dev = sh('losetup', ['-f', '--show', file]);
  loops.push(dev);
  return dev;
}

function dropTarget(kind: Kind, path: string): void {
  if (kind === 'device') {
    sh('losetup', ['-d', path]);
    loops.splice(loops.indexOf(path), 1);
  }
}

function ctxFor(kind: Kind, path: string, id: string): TargetCtx {
  const target: WriteTarget = { id, kind, path, sizeBytes: SIZE, hostname: 'bench' };
  const plan = { partitions: [] } as unknown as PartitionPlan;
  return new TargetCtx(target, plan, { id: 'bench' } as ImageProfile, () => undefined, new AbortController().signal);
}

const secs = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const mbps = (bytes: number, s: number) => bytes / 1e6 / s;

async function helperWrite(kind: Kind, paths: string[], source: string): Promise<number> {
  const ctxs = paths.map((p, i) => ctxFor(kind, p, `t${i}`));
  const reader = await fileReader(source);
  const t0 = process.hrtime.bigint();
  try {
    await fanOut(reader, SIZE, ctxs.map((ctx) => ({ ctx, offsets: [0] })), new AbortController().signal);
  } finally {
    await reader.close();
  }
  const s = secs(t0);
  const failed = ctxs.find((c) => c.failure);
  if (failed) throw new Error(`helper write failed: ${failed.failure!.message}`);
  return s;
}

function ddWrite(source: string, target: string): number {
  const t0 = process.hrtime.bigint();
  sh('dd', [`if=${source}`, `of=${target}`, 'bs=4M', 'oflag=direct', 'conv=notrunc,fsync', 'status=none']);
  return secs(t0);
}

/** The chunk digests of `path`, as the fan-out takes them while writing. */
async function digestsOf(path: string): Promise<ChunkDigests> {
  const h = await chunkHasher();
  const d = new ChunkDigests();
  const r = await fileReader(path);
  const buf = Buffer.alloc(4 * 1024 ** 2);
  for (let n = await r.read(buf); n > 0; n = await r.read(buf)) d.push(h.digest(buf.subarray(0, n)), n);
  await r.close();
  return d;
}

async function helperVerify(kind: Kind, path: string, want: ChunkDigests): Promise<number> {
  const t0 = process.hrtime.bigint();
  await readBackChunks(ctxFor(kind, path, 'v'), 0, want);
  return secs(t0);
}

function ddVerify(path: string, hash = true): number {
  const t0 = process.hrtime.bigint();
  const sink = hash ? '| sha256sum >/dev/null' : '>/dev/null';
  execFileSync('bash', ['-c', `dd if="$1" bs=4M iflag=direct count=256 status=none ${sink}`, '_', path]);
  return secs(t0);
}

/** Best (shortest) of REPEAT runs, each on a fresh target. */
async function best(kind: Kind, label: string, fn: (path: string) => Promise<number> | number): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < REPEAT; i++) {
    const path = freshTarget(kind, `${label}-${i}`);
    try {
      min = Math.min(min, await fn(path));
    } finally {
      dropTarget(kind, path);
      rmSync(join(work, `${label}-${i}.img`), { force: true });
    }
  }
  return min;
}

async function drives(): Promise<void> {
  const { appearMs, goneMs } = await driveListLatency();
  const show = (ms: number[]) => {
    const sorted = [...ms].sort((a, b) => a - b);
    return `median ${Math.round(sorted[Math.floor(sorted.length / 2)]!)} ms, worst ${Math.round(sorted.at(-1)!)} ms`;
  };
  process.stdout.write(`drive list (${appearMs.length} plug-ins of a loop device): appears ${show(appearMs)}; gone ${show(goneMs)} (promised: 2 s)\n`);
}

async function main(): Promise<void> {
  if (process.env.IIOS_BENCH_ONLY === 'startup') return startup();
  if (process.getuid?.() !== 0) throw new Error('the benchmark needs root (loop devices)');
  if (process.env.IIOS_BENCH_ONLY === 'drives') return drives();
  if (process.env.IIOS_BENCH_ONLY === 'cache-kinds') return cacheKinds();
  if (process.env.IIOS_BENCH_ONLY === 'side-by-side') return sideBySide();
  if (process.env.IIOS_BENCH_ONLY === 'slow-sticks') return slowSticksOnly();
  if (process.env.IIOS_BENCH_ONLY === 'clone') return cloneSticks();
  await startup();
  const source = join(work, 'root.img');
  process.stdout.write(`iios bench: 1 GiB of random data in ${work}, best of ${REPEAT} runs each\n`);
  sh('dd', ['if=/dev/urandom', `of=${source}`, 'bs=4M', `count=${SIZE / (4 * 1024 ** 2)}`, 'status=none']);
  const sha = await digestsOf(source);

  const rows: string[][] = [['measure', 'target', 'iios', 'dd', 'iios / dd']];
  for (const kind of ['image-file', 'device'] as const) {
    const h = await best(kind, `w-${kind}`, (p) => helperWrite(kind, [p], source));
    const d = await best(kind, `dd-${kind}`, (p) => ddWrite(source, p));
    rows.push(['write 1 GiB', kind, `${mbps(SIZE, h).toFixed(0)} MB/s`, `${mbps(SIZE, d).toFixed(0)} MB/s`, (d / h).toFixed(2)]);
    const v = await best(kind, `v-${kind}`, async (p) => {
      ddWrite(source, p);
      return helperVerify(kind, p, sha);
    });
    const dv = await best(kind, `dv-${kind}`, (p) => {
      ddWrite(source, p);
      return ddVerify(p);
    });
    rows.push(['verify (read + xxh128 per chunk; dd: sha256sum)', kind, `${mbps(SIZE, v).toFixed(0)} MB/s`, `${mbps(SIZE, dv).toFixed(0)} MB/s`, (dv / v).toFixed(2)]);
    const raw = await best(kind, `dr-${kind}`, (p) => {
      ddWrite(source, p);
      return ddVerify(p, false);
    });
    rows.push(['  read only (dd → /dev/null)', kind, '', `${mbps(SIZE, raw).toFixed(0)} MB/s`, (raw / v).toFixed(2)]);
  }
  for (const kind of ['image-file', 'device'] as const) {
    const one = await best(kind, `one-${kind}`, (p) => helperWrite(kind, [p], source));
    let four = Infinity;
    for (let i = 0; i < REPEAT; i++) {
      const paths = [0, 1, 2, 3].map((n) => freshTarget(kind, `four-${i}-${n}`));
      try {
        four = Math.min(four, await helperWrite(kind, paths, source));
      } finally {
        for (const [n, p] of paths.entries()) {
          dropTarget(kind, p);
          rmSync(join(work, `four-${i}-${n}.img`), { force: true });
        }
      }
    }
    rows.push([`1 vs 4 targets (total time)`, kind, `1: ${one.toFixed(2)} s`, `4: ${four.toFixed(2)} s`, `×${(four / one).toFixed(2)}`]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [n, r] of rows.entries()) {
    process.stdout.write(r.map((c, i) => c.padEnd(widths[i]!)).join('  ') + '\n');
    if (n === 0) process.stdout.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  }
  process.stdout.write('iios / dd > 1 means iios is faster. The dd verify pipes into sha256sum (often the bottleneck); the read-only row\n');
  process.stdout.write('is the medium alone. "1 vs 4": total time for four targets fed from one read, against one target.\n');
  await drives();
  await cacheSetsBench((l) => process.stdout.write(l + '\n'));
  await cacheKinds();
  await sideBySide();
  await cloneSticks();
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`iios bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(cleanup);
