// `iios bundle create`: a system tree (from a folder, a container image or a Debian suite) made into an iios
// bundle that every profile can write: its kernel, iios's own initramfs, a root image with its verity hash tree,
// systemd-boot, and manifest.json with every file's sha256. The bundle is built in OUT.partial and renamed to
// OUT only when complete, so a half-made bundle never looks like one.
import { chmod, copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { validateBundleManifest, type BundleManifest } from '../../../src-shared/profile/index.ts';
import { runTool } from '../run-tool.ts';
import { findBootloader } from './bootloader.ts';
import { describeSource, type BundleSource } from './bundle-source.ts';
import { addIiosToSystemd } from './iios-additions.ts';
import { buildInitramfs } from './initramfs.ts';
import { findKernel } from './kernel-discovery.ts';
import { resolveInRoot } from './path-in-root.ts';
import { makeRootImage, makeVerity, sha256File, type RootImageKind } from './root-image.ts';
import { stageSource } from './source-tree.ts';
import type { BundleLogger } from './bundle-log.ts';

export const DEFAULT_CMDLINE = 'console=tty0 console=ttyS0,115200';

export interface CreateBundleOptions {
  source: BundleSource;
  name: string;
  version: string;
  out: string;
  rootfs?: RootImageKind;
  cmdline?: string;
  kernel?: string;
  /** What is being done, typed (the CLI says it in the reader's language). */
  log?: BundleLogger;
  signal?: AbortSignal;
}

export interface CreatedBundle {
  dir: string;
  manifest: BundleManifest;
  treeBytes: number;
  bundleBytes: number;
  seconds: number;
}

async function treeBytes(dir: string): Promise<number> {
  const { stdout } = await runTool('du', ['-sb', '--apparent-size', dir]);
  return Number(stdout.split(/\s/)[0]);
}

async function hasSystemd(tree: string): Promise<boolean> {
  const p = await resolveInRoot(tree, 'usr/lib/systemd/systemd');
  return p !== null;
}

export async function createBundle(o: CreateBundleOptions): Promise<CreatedBundle> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  const kind = o.rootfs ?? 'squashfs';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(o.name)) throw new Error(`"${o.name}" is not a bundle name (letters, digits, ".", "_", "-")`);
  if (!o.version.trim() || /\s/.test(o.version)) throw new Error(`"${o.version}" is not a version (one word, e.g. 2026.12.1)`);
  const out = resolve(o.out);
  const existing = await readdir(out).catch(() => null);
  if (existing && existing.length > 0) throw new Error(`${out} exists and is not empty: choose a new --out folder`);
  const partial = join(dirname(out), `.${basename(out)}.partial`);
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const work = join(partial, '.work');
  const stage = join(work, 'root');
  await mkdir(work, { recursive: true });
  try {
    await stageSource(o.source, stage, work, log, o.signal);
    const kernel = await findKernel(stage, o.kernel);
    log({ key: 'kernel', release: kernel.release });
    const tree = await treeBytes(stage);
    let additions: string[] = [];
    if (await hasSystemd(stage)) {
      additions = await addIiosToSystemd(stage, o.version);
      log({ key: 'additions', added: additions });
    } else {
      log({ key: 'no-systemd' });
    }
    await copyFile(kernel.image, join(partial, 'vmlinuz'));
    log({ key: 'initramfs' });
    const ird = await buildInitramfs(kernel, kind, join(partial, 'initrd.img'), o.signal);
    if (ird.missing.length) log({ key: 'modules-missing', release: kernel.release, modules: ird.missing });
    const rootFile = `root.${kind}`;
    log({ key: 'root-image', kind });
    await makeRootImage(stage, kind, join(partial, rootFile), o.signal);
    const verity = await makeVerity(join(partial, rootFile), join(partial, 'root.verity'), o.signal);
    const boot = await findBootloader(stage);
    await copyFile(boot.path, join(partial, 'systemd-bootx64.efi'));
    await rm(work, { recursive: true, force: true });

    const files: Record<string, { sha256: string; sizeBytes: number }> = {};
    let bundleBytes = 0;
    for (const f of ['vmlinuz', 'initrd.img', rootFile, 'root.verity', 'systemd-bootx64.efi']) {
      // readable by the user the app runs as (veritysetup writes its hash file 0600)
      await chmod(join(partial, f), 0o644);
      const sizeBytes = (await stat(join(partial, f))).size;
      files[f] = { sha256: await sha256File(join(partial, f)), sizeBytes };
      bundleBytes += sizeBytes;
    }
    const manifest = validateBundleManifest({
      format: 1,
      name: o.name,
      version: o.version,
      arch: 'x86_64',
      kernel: 'vmlinuz',
      initrd: 'initrd.img',
      cmdline: o.cmdline ?? DEFAULT_CMDLINE,
      bootloader: 'systemd-bootx64.efi',
      rootfs: { kind, file: rootFile, sizeBytes: files[rootFile]!.sizeBytes },
      verity: {
        hashFile: 'root.verity',
        rootHash: verity.rootHash,
        salt: verity.salt,
        dataBlockSize: 4096,
        hashBlockSize: 4096,
        hashAlgorithm: 'sha256',
        sizeBytes: files['root.verity']!.sizeBytes,
      },
      files,
      build: {
        source: describeSource(o.source),
        kernelRelease: kernel.release,
        initramfsModules: ird.moduleCount,
        bootloaderFrom: boot.from,
        iiosAdditions: additions,
        treeBytes: tree,
        createdBy: 'iios bundle create',
      },
    });
    await writeFile(join(partial, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    await rm(out, { recursive: true, force: true });
    await rename(partial, out);
    return { dir: out, manifest, treeBytes: tree, bundleBytes, seconds: (Date.now() - started) / 1000 };
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
}
