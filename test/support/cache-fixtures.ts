// Offline fixtures for the cache kinds, made in the test with each ecosystem's own tools: small .debs
// (dpkg-deb) served as a flat `file:` repository, OCI images (umoci) saved as OCI archives.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** A binary .deb named `<name>_<version>_all.deb` in `repoDir`, holding `payloadBytes` random bytes. */
export async function makeDeb(repoDir: string, name: string, version: string, opts: { depends?: string; payloadBytes?: number } = {}): Promise<string> {
  const root = await mkdtemp(join(repoDir, `.${name}-`));
  try {
    await mkdir(join(root, 'DEBIAN'));
    await mkdir(join(root, 'usr/share', name), { recursive: true });
    await writeFile(join(root, 'usr/share', name, 'data.bin'), randomBytes(opts.payloadBytes ?? 4096));
    const control = [`Package: ${name}`, `Version: ${version}`, 'Architecture: all', 'Maintainer: iios tests <tests@iios.invalid>', ...(opts.depends ? [`Depends: ${opts.depends}`] : []), `Description: ${name}, a test package`, ''];
    await writeFile(join(root, 'DEBIAN', 'control'), control.join('\n'));
    const deb = join(repoDir, `${name}_${version}_all.deb`);
    await execa('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', root, deb]);
    return deb;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Writes the flat repository's Packages index over the .debs in `repoDir` (`deb [trusted=yes] file:DIR ./`). */
export async function indexFlatRepo(repoDir: string): Promise<void> {
  const { stdout } = await execa('apt-ftparchive', ['packages', '.'], { cwd: repoDir });
  await writeFile(join(repoDir, 'Packages'), stdout + '\n');
}

/**
 * An OCI image with one layer holding `<name>.bin` (random bytes), saved as an OCI archive whose image is
 * named `ref` (e.g. team/hello:1, as a cache set names it: `oci-archive:FILE:team/hello:1`); returns its path.
 */
export async function makeOciArchive(dir: string, name: string, ref: string, bytes = 8192): Promise<string> {
  const work = await mkdtemp(join(dir, `.${name}-`));
  try {
    const layout = join(work, 'layout');
    await execa('umoci', ['init', '--layout', layout]);
    await execa('umoci', ['new', '--image', `${layout}:latest`]);
    const bundle = join(work, 'bundle');
    await execa('umoci', ['unpack', '--rootless', '--image', `${layout}:latest`, bundle]);
    await writeFile(join(bundle, 'rootfs', `${name}.bin`), randomBytes(bytes));
    await execa('umoci', ['repack', '--image', `${layout}:latest`, bundle]);
    await execa('umoci', ['config', '--image', `${layout}:latest`, `--config.cmd=/${name}.bin`]);
    const archive = join(dir, `${name}.tar`);
    await rm(archive, { force: true });
    await execa('skopeo', ['copy', '--quiet', `oci:${layout}:latest`, `oci-archive:${archive}:${ref}`]);
    return archive;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
