// The rpm cache: a package and its dependency closure (made with rpmbuild) downloaded by dnf from a file: repo
// into a createrepo_c repository, then installed with `dnf --installroot` through the repo file `iios offline`
// plans, with the source repository gone. A rebuild after one more package downloads that package alone.
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpmBuilder } from '../../src-main/services/caches/kinds/rpm.ts';
import { rpmOffline } from '../../src-main/services/caches/offline/rpm.ts';
import { applyOffline } from '../support/cache-fixtures/apply-offline.ts';
import { buildKind } from '../support/cache-fixtures/build-kind.ts';
import { snapshotDiff, snapshotFiles } from '../support/cache-fixtures/file-snapshot.ts';
import { makeRpmSource, type RpmSource } from '../support/cache-fixtures/rpm.ts';

let work: string;
let source: RpmSource;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-cache-rpm-'));
  source = await makeRpmSource(work);
  await source.add('libgreet', { text: 'hello from libgreet' });
  await source.add('greet', { requires: 'libgreet' });
  await source.add('unrelated');
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** dnf installing into a private root, with only the repo files under `root/etc/yum.repos.d` and its own cache. */
async function dnfInstall(root: string, pkg: string): Promise<void> {
  const conf = join(root, 'dnf.conf');
  await writeFile(conf, '[main]\n');
  await execa('dnf', [
    '-q',
    '-y',
    `--config=${conf}`,
    `--installroot=${join(root, 'sysroot')}`,
    `--setopt=reposdir=${join(root, 'etc/yum.repos.d')}`,
    `--setopt=cachedir=${join(root, 'dnf-cache')}`,
    '--releasever=40',
    // the fixture packages are not signed; the repo file keeps gpgcheck on for real ones
    '--nogpgcheck',
    'install',
    pkg,
  ]);
}

describe('rpm cache', () => {
  it('carries the closure, installs offline with dnf --installroot, and a rebuild downloads only the new package', async () => {
    const library = join(work, 'library');
    const first = await buildKind(rpmBuilder, { repos: [source.repo], packages: ['greet'] }, library);
    expect(first.items).toEqual(['greet-1.0-1.noarch.rpm', 'libgreet-1.0-1.noarch.rpm']);
    expect(first.newItems).toEqual(first.items);
    const cacheDir = join(library, 'rpm');

    const machine = join(work, 'machine');
    const plan = rpmOffline.plan({ cacheDir, root: machine });
    expect(plan.map((c) => c.path)).toEqual([join(machine, 'etc/yum.repos.d/iios-offline.repo')]);
    await applyOffline(plan);
    const hidden = `${source.repo}.away`;
    await rename(source.repo, hidden); // the source is unreachable while the machine installs
    try {
      await dnfInstall(machine, 'greet');
    } finally {
      await rename(hidden, source.repo);
    }
    expect(await readFile(join(machine, 'sysroot/usr/share/libgreet/text'), 'utf8')).toBe('hello from libgreet\n');

    const before = await snapshotFiles(cacheDir);
    await source.add('extra', { requires: 'libgreet' });
    const second = await buildKind(rpmBuilder, { repos: [source.repo], packages: ['greet', 'extra'] }, library);
    expect(second.newItems).toEqual(['extra-1.0-1.noarch.rpm']);
    expect(snapshotDiff(before, await snapshotFiles(cacheDir), 'packages/')).toEqual({ added: ['packages/extra-1.0-1.noarch.rpm'], touched: [] });
    const downloads = second.log.filter((l) => l.includes(' download ') && l.includes('--destdir='));
    expect(downloads).toHaveLength(1);
    expect(downloads[0]).toMatch(/ extra-1\.0-1\.noarch$/);

    await rename(source.repo, hidden);
    try {
      await dnfInstall(machine, 'extra');
    } finally {
      await rename(hidden, source.repo);
    }
    expect(await readFile(join(machine, 'sysroot/usr/share/extra/text'), 'utf8')).toBe('extra\n');

    // a package the set no longer names leaves the repository, and its metadata with it
    const third = await buildKind(rpmBuilder, { repos: [source.repo], packages: ['extra'] }, library);
    expect(third.items).toEqual(['extra-1.0-1.noarch.rpm', 'libgreet-1.0-1.noarch.rpm']);
    const primary = await execa('sh', ['-c', `zcat ${cacheDir}/repodata/*-primary.xml.gz`]);
    expect(primary.stdout).not.toContain('<name>greet</name>');
  });

  it('refuses a package that no repo has, naming the repos', async () => {
    const lib = join(work, 'library-refused');
    await mkdir(lib, { recursive: true });
    await expect(buildKind(rpmBuilder, { repos: [source.repo], packages: ['no-such-package'] }, lib)).rejects.toThrow(
      /cache rpm: .*no-such-package.*file:\/\//,
    );
  });
});
