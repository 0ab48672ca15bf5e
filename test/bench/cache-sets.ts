// Cache sets benchmark: `iios caches build` of a fixture set (first build, and a second with nothing changed),
// then bringing a stick's caches up to date after a 1% change three ways: a full rewrite of the kind's subvolume,
// rsync from the library (what `iios caches update` does), and an incremental `btrfs send -p` (which needs the
// library on Btrfs with a read-only snapshot shared with the stick). Printed, not asserted. Needs root (loops).
// Run alone: `tsx test/bench/cache-sets.ts`; `npm run bench` runs it after the writer's benchmark.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexFlatRepo, makeDeb, makeOciArchive } from '../support/cache-fixtures.ts';

const sh = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) => execFileSync(cmd, args, { encoding: 'utf8', env: env ?? process.env, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const secs = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const timed = (fn: () => void) => {
  const t0 = process.hrtime.bigint();
  fn();
  return secs(t0);
};

function btrfsImage(work: string, name: string, bytes: number): { mnt: string; undo(): void } {
  const file = join(work, `${name}.img`);
  sh('truncate', ['-s', String(bytes), file]);
  sh('mkfs.btrfs', ['-q', file]);
  const dev = sh('losetup', ['-f', '--show', file]);
  const mnt = join(work, name);
  mkdirSync(mnt);
  sh('mount', [dev, mnt]);
  return {
    mnt,
    undo: () => {
      execFileSync('umount', [mnt], { stdio: 'ignore' });
      execFileSync('losetup', ['-d', dev], { stdio: 'ignore' });
    },
  };
}

export async function cacheSetsBench(log: (line: string) => void = console.log): Promise<void> {
  const work = mkdtempSync(join(process.env.IIOS_BENCH_DIR ?? tmpdir(), 'iios-bench-caches-'));
  const undo: (() => void)[] = [];
  try {
    const lib = btrfsImage(work, 'library', 1024 ** 3);
    undo.push(lib.undo);
    const stick = btrfsImage(work, 'stick', 1024 ** 3);
    undo.push(stick.undo);
    const repo = join(work, 'repo');
    mkdirSync(repo);
    const names: string[] = [];
    for (let i = 0; i < 40; i++) {
      names.push(`pkg${i}`);
      await makeDeb(repo, `pkg${i}`, '1.0', { payloadBytes: 500_000 });
    }
    await indexFlatRepo(repo);
    const image = await makeOciArchive(work, 'img', 'bench/img:1', 5_000_000);
    const set = join(work, 'bench.yaml');
    const yaml = (pkgs: string[]) =>
      `format: 1\nid: bench\ntitle: Bench\ncaches:\n  apt: { sources: ["deb [trusted=yes] file:${repo} ./"], packages: [${pkgs.join(', ')}] }\n  oci: { images: ["oci-archive:${image}:bench/img:1"] }\n`;
    writeFileSync(set, yaml(names));
    const library = join(lib.mnt, 'lib');
    mkdirSync(join(library, 'bench'), { recursive: true });
    // the apt kind as a subvolume of the library, so a read-only snapshot of it can be sent
    sh('btrfs', ['subvolume', 'create', join(library, 'bench', 'apt')]);
    const env = { ...process.env, IIOS_CACHES_DIR: library, XDG_CONFIG_HOME: join(work, 'config') };
    const iios = (args: string[]) => sh(process.execPath, [join(import.meta.dirname, '../../src-main/cli/iios.mjs'), ...args], env);
    const first = timed(() => iios(['caches', 'build', set]));
    const second = timed(() => iios(['caches', 'build', set]));
    log(`caches build (40 debs of 0.5 MB, one 5 MB image): first ${first.toFixed(1)} s, unchanged ${second.toFixed(1)} s`);

    const aptLib = join(library, 'bench', 'apt');
    const snap1 = join(lib.mnt, 'apt.1');
    sh('btrfs', ['subvolume', 'snapshot', '-r', aptLib, snap1]);
    mkdirSync(join(stick.mnt, '@caches'));
    mkdirSync(join(stick.mnt, 'recv'));
    sh('btrfs', ['subvolume', 'create', join(stick.mnt, '@caches', 'apt')]);
    const full1 = timed(() => sh('cp', ['-a', '--reflink=never', `${aptLib}/.`, join(stick.mnt, '@caches', 'apt')]));
    execFileSync('sh', ['-c', `btrfs send -q ${snap1} | btrfs receive ${join(stick.mnt, 'recv')}`]);

    // a 1% change: one package of 0.4 MB added
    await makeDeb(repo, 'extra', '1.0', { payloadBytes: 200_000 });
    await indexFlatRepo(repo);
    writeFileSync(set, yaml([...names, 'extra']));
    iios(['caches', 'build', set]);
    const total = Number(sh('du', ['-sb', aptLib]).split('\t')[0]);
    const extra = statSync(join(aptLib, 'pool', 'extra_1.0_all.deb')).size;
    const rsync = timed(() => {
      sh('rsync', ['-a', '--delete', `${aptLib}/`, `${join(stick.mnt, '@caches', 'apt')}/`]);
      sh('btrfs', ['filesystem', 'sync', stick.mnt]);
    });
    const snap2 = join(lib.mnt, 'apt.2');
    sh('btrfs', ['subvolume', 'snapshot', '-r', aptLib, snap2]);
    const stream = join(work, 'apt.stream');
    const send = timed(() => {
      execFileSync('sh', ['-c', `btrfs send -q -p ${snap1} ${snap2} > ${stream} && btrfs receive -f ${stream} ${join(stick.mnt, 'recv')}`]);
      sh('btrfs', ['filesystem', 'sync', stick.mnt]);
    });
    const full = timed(() => {
      sh('btrfs', ['subvolume', 'delete', join(stick.mnt, '@caches', 'apt')]);
      sh('btrfs', ['subvolume', 'create', join(stick.mnt, '@caches', 'apt')]);
      sh('cp', ['-a', '--reflink=never', `${aptLib}/.`, join(stick.mnt, '@caches', 'apt')]);
      sh('btrfs', ['filesystem', 'sync', stick.mnt]);
    });
    log(`apt cache ${(total / 1e6).toFixed(1)} MB, change ${((extra / total) * 100).toFixed(1)}% (first full copy ${full1.toFixed(2)} s):`);
    log(`  full rewrite ${full.toFixed(2)} s · rsync (iios caches update) ${rsync.toFixed(2)} s · btrfs send -p + receive ${send.toFixed(2)} s (stream ${(statSync(stream).size / 1e3).toFixed(0)} kB)`);
  } finally {
    for (const u of undo.reverse()) {
      try {
        u();
      } catch {
        /* already undone */
      }
    }
    execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: join(work, 'config/iios/apt-key/gnupg') }, stdio: 'ignore' });
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await cacheSetsBench();
