// A tiny but real iios bundle for tests: a squashfs root made with mksquashfs over a temp dir, its verity
// hash tree from `veritysetup format` (with superblock, 4 KiB blocks, sha256), and a manifest with the
// sha256 of every file (design.md, "Image bundles"). Kernel, initrd and bootloader are small placeholder files unless given.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface MakeBundleOptions {
  /** Bytes of incompressible data inside the root (default 2 MiB): makes the slot write take a while. */
  randomBytes?: number;
  name?: string;
  version?: string;
  cmdline?: string;
  /** Real files to use instead of placeholders. */
  kernel?: string;
  initrd?: string;
  bootloader?: string;
  /** false: store the squashfs uncompressed (fast to make, large — for tests that need a long write). */
  compress?: boolean;
  /** Directory to create the bundle in (default: a new temp dir). */
  dir?: string;
  /** The manifest's build record (what `iios bundle create` writes: source, kernelRelease, …). */
  build?: Record<string, unknown>;
}

export interface TestBundle {
  dir: string;
  manifest: Record<string, unknown> & {
    name: string;
    version: string;
    rootfs: { kind: 'squashfs'; file: string; sizeBytes: number };
    verity: { rootHash: string; hashFile: string; sizeBytes: number };
    files: Record<string, { sha256: string; sizeBytes: number }>;
  };
  cleanup(): Promise<void>;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export async function makeBundle(opts: MakeBundleOptions = {}): Promise<TestBundle> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'iios-bundle-')));
  await mkdir(dir, { recursive: true });
  const tree = await mkdtemp(join(tmpdir(), 'iios-rootfs-'));
  try {
    await mkdir(join(tree, 'etc'), { recursive: true });
    await mkdir(join(tree, 'usr/share/iios'), { recursive: true });
    await writeFile(join(tree, 'etc/os-release'), `NAME=iios-test\nVERSION=${opts.version ?? '1.0'}\n`);
    await writeFile(join(tree, 'etc/hostname'), 'iios\n');
    await writeFile(join(tree, 'usr/share/iios/noise.bin'), randomBytes(opts.randomBytes ?? 2 * 1024 * 1024));
    await execa('mksquashfs', [tree, join(dir, 'root.squashfs'), '-noappend', '-quiet', '-all-root', ...(opts.compress === false ? ['-noI', '-noD', '-noF', '-noX'] : ['-comp', 'gzip'])]);
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
  const fmt = await execa('veritysetup', ['format', join(dir, 'root.squashfs'), join(dir, 'root.verity')]);
  const rootHash = /Root hash:\s*([0-9a-f]{64})/.exec(fmt.stdout)?.[1];
  const salt = /Salt:\s*([0-9a-f]+)/.exec(fmt.stdout)?.[1];
  if (!rootHash || !salt) throw new Error(`veritysetup format printed no root hash: ${fmt.stdout}`);

  const placeholder = async (name: string, from: string | undefined, text: string) => {
    if (from) await copyFile(from, join(dir, name));
    else await writeFile(join(dir, name), text);
  };
  await placeholder('vmlinuz', opts.kernel, 'iios test kernel placeholder\n');
  await placeholder('initrd.img', opts.initrd, 'iios test initrd placeholder\n');
  await placeholder('systemd-bootx64.efi', opts.bootloader, 'iios test bootloader placeholder\n');

  const files: Record<string, { sha256: string; sizeBytes: number }> = {};
  for (const f of ['vmlinuz', 'initrd.img', 'systemd-bootx64.efi', 'root.squashfs', 'root.verity']) {
    files[f] = { sha256: await sha256File(join(dir, f)), sizeBytes: (await stat(join(dir, f))).size };
  }
  const manifest = {
    format: 1,
    name: opts.name ?? 'iios-test',
    version: opts.version ?? '1.0',
    arch: 'x86_64',
    kernel: 'vmlinuz',
    initrd: 'initrd.img',
    cmdline: opts.cmdline ?? 'console=ttyS0,115200 quiet',
    bootloader: 'systemd-bootx64.efi',
    rootfs: { kind: 'squashfs' as const, file: 'root.squashfs', sizeBytes: files['root.squashfs']!.sizeBytes },
    verity: {
      hashFile: 'root.verity',
      rootHash,
      salt,
      dataBlockSize: 4096,
      hashBlockSize: 4096,
      hashAlgorithm: 'sha256',
      sizeBytes: files['root.verity']!.sizeBytes,
    },
    files,
    ...(opts.build ? { build: opts.build } : {}),
  };
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifest, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
