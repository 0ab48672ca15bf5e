// Measures what caches cost on a stick's Btrfs data partition, to check the fit rule (src-shared/caches/cache-fit.ts)
// against the filesystem instead of a guess. For each cache shape (many small files, tiny files, few big files,
// an apt repo and an OCI layout built by `iios caches build` from fixtures): the filesystem made as the helper
// makes it (mkfs.btrfs -f -q -K, metadata DUP, data single), @caches/<kind> a subvolume, the cache copied with
// cp -a --reflink=never as the helper does; then (1) on a roomy 4 GiB partition, what `btrfs filesystem usage`
// and df say the copy took, and (2) the smallest partition the copy succeeds on (bisected to 1 MiB), set against
// an empty partition of the plan's minimum (128 MiB) plus the rule's room. Printed, not asserted. Needs root.
// Run: `tsx test/bench/cache-fit.ts`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCacheSet } from '../../src-main/services/caches/build-cache-set.ts';
import { filesUnder } from '../../src-main/services/caches/folder-bytes.ts';
import { cacheRoomBytes } from '../../src-shared/caches/cache-fit.ts';
import { parseCacheSet } from '../../src-shared/caches/cache-set.ts';
import { MIN_BTRFS_BYTES } from '../../src-shared/layout/gpt.ts';
import { indexFlatRepo, makeDeb, makeOciArchive } from '../support/cache-fixtures.ts';

const MiB = 1024 * 1024;
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] }).trim();

interface Usage {
  dataUsed: number;
  metaUsed: number;
  sysUsed: number;
  dfUsed: number;
}

function usage(mnt: string): Usage {
  sh('btrfs', ['filesystem', 'sync', mnt]);
  const out = sh('btrfs', ['filesystem', 'df', '-b', mnt]);
  const used = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const df = sh('df', ['-B1', '--output=used', mnt]).split('\n')[1]!.trim();
  return { dataUsed: used(/^Data, ?\w+: total=\d+, used=(\d+)/m), metaUsed: used(/^Metadata, ?\w+: total=\d+, used=(\d+)/m), sysUsed: used(/^System, ?\w+: total=\d+, used=(\d+)/m), dfUsed: Number(df) };
}

/** A fresh data partition of `bytes` (an image file through a loop), mounted; `fn` runs inside; always cleaned up. */
function withDataPartition<T>(work: string, bytes: number, fn: (mnt: string) => T): T {
  const file = join(work, 'data.img');
  rmSync(file, { force: true });
  sh('truncate', ['-s', String(bytes), file]);
  const dev = sh('losetup', ['-f', '--show', file]);
  const mnt = join(work, 'mnt');
  mkdirSync(mnt, { recursive: true });
  try {
    sh('mkfs.btrfs', ['-f', '-q', '-K', '-L', 'iios-data', dev]);
    sh('mount', [dev, mnt]);
    try {
      sh('btrfs', ['subvolume', 'create', join(mnt, '@caches')]);
      return fn(mnt);
    } finally {
      execFileSync('umount', [mnt], { stdio: 'ignore' });
    }
  } finally {
    execFileSync('losetup', ['-d', dev], { stdio: 'ignore' });
    rmSync(file, { force: true });
  }
}

function copyCache(mnt: string, kind: string, src: string): boolean {
  sh('btrfs', ['subvolume', 'create', join(mnt, '@caches', kind)]);
  try {
    sh('cp', ['-a', '--reflink=never', `${src}/.`, `${join(mnt, '@caches', kind)}/`]);
    sh('btrfs', ['filesystem', 'sync', mnt]);
    return true;
  } catch {
    return false;
  }
}

async function shapes(work: string): Promise<{ name: string; kind: string; dir: string }[]> {
  const out: { name: string; kind: string; dir: string }[] = [];
  const folder = (name: string, files: number, size: (i: number) => number) => {
    const dir = join(work, name);
    for (let i = 0; i < files; i++) {
      const sub = join(dir, String(i % 100).padStart(2, '0'));
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `f${i}.bin`), randomBytes(size(i)));
    }
    return dir;
  };
  out.push({ name: '20,000 tiny files (100 B)', kind: 'files', dir: folder('tiny', 20_000, () => 100) });
  out.push({ name: '20,000 small files (1 B–8 KiB)', kind: 'files', dir: folder('small', 20_000, (i) => 1 + ((i * 2654435761) % 8192)) });
  out.push({ name: '4 big files (64 MiB)', kind: 'files', dir: folder('big', 4, () => 64 * MiB) });
  // apt and oci as `iios caches build` makes them, from fixtures made here
  const repo = join(work, 'repo');
  mkdirSync(repo);
  const names: string[] = [];
  for (let i = 0; i < 40; i++) names.push(await makeDeb(repo, `pkg${i}`, '1.0', { payloadBytes: 256 * 1024 + i * 4096 }).then(() => `pkg${i}`));
  await indexFlatRepo(repo);
  const images: string[] = [];
  for (let i = 0; i < 6; i++) images.push(`oci-archive:${await makeOciArchive(work, `img${i}`, `team/img${i}:1`, 4 * MiB)}:team/img${i}:1`);
  process.env.IIOS_CACHES_DIR = join(work, 'library');
  process.env.XDG_CONFIG_HOME = join(work, 'config');
  const text = ['format: 1', 'id: fit', 'title: Fit', 'caches:', `  apt: { sources: ["deb [trusted=yes] file:${repo} ./"], packages: [${names.join(', ')}] }`, `  oci: { images: [${images.map((i) => JSON.stringify(i)).join(', ')}] }`, ''].join('\n');
  await buildCacheSet(parseCacheSet(text, join(work, 'fit.yaml')), { library: join(work, 'library'), baseDir: work });
  out.push({ name: 'apt repo (40 .debs)', kind: 'apt', dir: join(work, 'library', 'fit', 'apt') });
  out.push({ name: 'OCI layout (6 images)', kind: 'oci', dir: join(work, 'library', 'fit', 'oci') });
  return out;
}

function smallestPartition(work: string, bytes: number, fits: (mnt: string) => boolean): number {
  const tries = (size: number) => {
    try {
      return withDataPartition(work, size, fits);
    } catch {
      return false;
    }
  };
  let lo = 64 * MiB;
  let hi = Math.max(MIN_BTRFS_BYTES, 2 * Math.ceil(bytes / MiB) * MiB + 256 * MiB);
  while (!tries(hi)) hi *= 2;
  while (hi - lo > MiB) {
    const mid = Math.floor((lo + hi) / 2 / MiB) * MiB;
    if (tries(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

export async function cacheFitBench(log: (line: string) => void = console.log): Promise<void> {
  const work = mkdtempSync(join(process.env.IIOS_BENCH_DIR ?? tmpdir(), 'iios-bench-fit-'));
  try {
    const empty = smallestPartition(work, 0, () => true);
    log(`smallest partition mkfs.btrfs makes and mounts: ${empty / MiB} MiB`);
    log('shape | files | bytes | data used | metadata used (x2 DUP) | df used | smallest partition | beyond an empty one | rule | per file (data + metadata - bytes)');
    for (const s of await shapes(work)) {
      const files = await filesUnder(s.dir);
      const bytes = [...files.values()].reduce((a, b) => a + b, 0);
      const { before, after } = withDataPartition(work, 4096 * MiB, (mnt) => {
        const before = usage(mnt);
        if (!copyCache(mnt, s.kind, s.dir)) throw new Error(`${s.name}: copy failed on 4 GiB`);
        return { before, after: usage(mnt) };
      });
      const d = (k: keyof Usage) => after[k] - before[k];
      // the smallest partition the copy succeeds on, whole MiB (mkfs refusing a partition counts as not fitting)
      const smallest = smallestPartition(work, bytes, (mnt) => copyCache(mnt, s.kind, s.dir));
      const rule = cacheRoomBytes({ bytes, files: files.size }, MIN_BTRFS_BYTES);
      const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
      log(
        [s.name, files.size, mib(bytes), mib(d('dataUsed')), mib(2 * d('metaUsed')), mib(d('dfUsed')), mib(smallest), mib(smallest - empty), mib(rule), `${Math.round((d('dataUsed') + 2 * d('metaUsed') - bytes) / files.size)} B`].join(' | '),
      );
    }
  } finally {
    execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: join(work, 'config/iios/apt-key/gnupg') }, stdio: 'ignore' });
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * How much of a fresh data partition a cache of big files can fill, by size: written (zeros, no compression)
 * until the filesystem says it is full. What is left over is what Btrfs keeps for itself at that size (its
 * metadata chunks, kept twice, and the global reserve inside them), which no cache byte can use.
 */
export function fullPartitionBench(log: (line: string) => void = console.log, sizesGiB = [1, 4, 16]): void {
  const work = mkdtempSync(join(process.env.IIOS_BENCH_DIR ?? tmpdir(), 'iios-bench-fill-'));
  try {
    log('partition | metadata allocated (raw) | filled by a cache | left over');
    for (const gib of sizesGiB) {
      const { meta, filled } = withDataPartition(work, gib * 1024 * MiB, (mnt) => {
        const dir = join(mnt, '@caches', 'files');
        sh('btrfs', ['subvolume', 'create', dir]);
        const df = sh('btrfs', ['filesystem', 'df', '-b', mnt]);
        const meta = 2 * Number(/^Metadata, ?DUP: total=(\d+)/m.exec(df)?.[1] ?? NaN);
        for (let i = 0; ; i++) {
          try {
            sh('dd', ['if=/dev/zero', `of=${join(dir, `f${i}.bin`)}`, 'bs=4M', 'count=64', 'conv=fsync', 'status=none']);
          } catch {
            break;
          }
        }
        sh('btrfs', ['filesystem', 'sync', mnt]);
        const filled = Number(sh('du', ['-sb', '--apparent-size', dir]).split(/\s/)[0]);
        return { meta, filled };
      });
      const bytes = gib * 1024 * MiB;
      log([`${gib} GiB`, `${(meta / MiB).toFixed(0)} MiB`, `${(filled / MiB).toFixed(0)} MiB`, `${((bytes - filled) / MiB).toFixed(0)} MiB`].join(' | '));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] !== 'full') await cacheFitBench();
  if (process.argv[2] !== 'shapes') fullPartitionBench();
}
