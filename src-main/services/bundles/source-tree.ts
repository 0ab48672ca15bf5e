// Makes the system tree of a SOURCE available as a private, writable copy (the stage) that iios may add to;
// the source itself is never modified. Container images are copied by skopeo into an OCI layout and unpacked by
// iios's own layer application (oci-layers.ts: layers in order, whiteouts honoured, owners, modes, xattrs and
// file capabilities kept, digests checked); Debian suites are built with mmdebstrap once and cached.
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { runTool } from '../run-tool.ts';
import type { BundleSource } from './bundle-source.ts';
import { unpackOciImage } from './oci-layers.ts';
import type { BundleLogger } from './bundle-log.ts';

/** What a Debian source always gets: a kernel and systemd as init, with udev and kmod for its hardware. */
export const DEBIAN_BASE_PACKAGES = ['linux-image-amd64', 'systemd', 'systemd-sysv', 'udev', 'kmod'];

export function debianPackages(requested: readonly string[]): string[] {
  return [...new Set([...requested, ...DEBIAN_BASE_PACKAGES])].sort();
}

export function debianCacheKey(suite: string, packages: readonly string[]): string {
  const text = JSON.stringify({ v: 1, suite, variant: 'minbase', packages: debianPackages(packages), mirror: process.env.IIOS_DEBIAN_MIRROR ?? '' });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export function debianCacheRoot(): string {
  return process.env.IIOS_DEBIAN_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'iios', 'debian');
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() === true;
}

/** The cached mmdebstrap tree of suite + packages, built on first use. */
export async function debianTree(suite: string, packages: readonly string[], log: BundleLogger, signal?: AbortSignal): Promise<string> {
  const dir = join(debianCacheRoot(), `${suite}-${debianCacheKey(suite, packages)}`);
  const root = join(dir, 'root');
  if (await isDir(root)) {
    log({ key: 'debian-cached', suite, root });
    return root;
  }
  await mkdir(dir, { recursive: true });
  const partial = join(dir, 'root.partial');
  await rm(partial, { recursive: true, force: true });
  const all = debianPackages(packages);
  log({ key: 'debian-mmdebstrap', suite, packages: all });
  const args = [
    '--mode=root', '--variant=minbase', `--include=${all.join(',')}`,
    '--dpkgopt=path-exclude=/usr/share/doc/*', '--dpkgopt=path-exclude=/usr/share/man/*', '--dpkgopt=path-exclude=/usr/share/locale/*',
    // iios brings its own initramfs: the one Debian made would only take room.
    '--customize-hook=rm -f "$1"/boot/initrd.img-*',
    suite, partial,
  ];
  if (process.env.IIOS_DEBIAN_MIRROR) args.push(process.env.IIOS_DEBIAN_MIRROR);
  await runTool('mmdebstrap', args, signal ? { signal } : {});
  await rename(partial, root);
  return root;
}

/** Copies a tree with owners, modes, links, xattrs and hard links (reflinks where the filesystem allows). */
export async function copyTree(from: string, to: string, signal?: AbortSignal): Promise<void> {
  await mkdir(to, { recursive: true });
  await runTool('cp', ['-a', '--reflink=auto', `${from}/.`, `${to}/`], signal ? { signal } : {});
}

/** Fills `stage` (absent) with the source's tree; `work` is a scratch folder for downloads. */
export async function stageSource(src: BundleSource, stage: string, work: string, log: BundleLogger, signal?: AbortSignal): Promise<void> {
  const opts = signal ? { signal } : {};
  if (src.kind === 'dir') {
    if (!(await isDir(src.path))) throw new Error(`dir:${src.path} is not a directory: give the root of a system tree`);
    log({ key: 'copying', path: src.path });
    await copyTree(src.path, stage, signal);
  } else if (src.kind === 'debian') {
    await copyTree(await debianTree(src.suite, src.packages, log, signal), stage, signal);
  } else {
    const layout = join(work, 'oci');
    log({ key: 'fetching', ref: src.ref });
    await runTool('skopeo', ['copy', '--quiet', src.ref, `oci:${layout}:iios-source`], opts);
    await unpackOciImage(layout, 'iios-source', stage, { log, ...opts });
    await rm(layout, { recursive: true, force: true });
  }
}
