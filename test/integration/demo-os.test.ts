// The demo OS bundle built from Debian packages: manifest valid and true to the files, the root verifies
// under dm-verity (and a damaged copy does not), the initramfs carries what the boot contract needs,
// the bundle stays under 40 MB, and a second build is a cache hit (said as a typed line when iios runs it).
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { appRoot } from '../../src-main/services/app/app-info.ts';
import { parseBundleManifest, type BundleManifest } from '../../src-shared/profile/bundle-manifest.ts';
import type { DemoBuildLine } from '../../src-shared/demo/demo-build-line.ts';
import { demoBuildLineWords } from '../../src-shared/errors/demo-build-words.ts';

const MB40 = 40 * 1024 * 1024;

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

describe('demo OS bundle', () => {
  let dir = '';
  let manifest: BundleManifest;
  let work = '';

  beforeAll(async () => {
    dir = await ensureDemoBundle();
    manifest = parseBundleManifest(await readFile(join(dir, 'manifest.json'), 'utf8'));
    work = await mkdtemp(join(tmpdir(), 'iios-demo-os-'));
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('lives in .cache/demo-os/bundle and its manifest follows the bundle manifest schema', () => {
    expect(dir).toBe(join(appRoot(), '.cache', 'demo-os', 'bundle'));
    expect(manifest).toMatchObject({
      format: 1,
      name: 'iios-demo',
      arch: 'x86_64',
      kernel: 'vmlinuz',
      initrd: 'initrd.img',
      bootloader: 'systemd-bootx64.efi',
      rootfs: { kind: 'squashfs', file: 'root.squashfs' },
      verity: { hashFile: 'root.verity', dataBlockSize: 4096, hashBlockSize: 4096, hashAlgorithm: 'sha256' },
    });
    expect(manifest.cmdline.split(' ')).toContain('console=ttyS0,115200');
    // the screen of a real PC gets the kernel's messages too; serial stays last, so it is /dev/console
    expect(manifest.cmdline.split(' ').filter((a: string) => a.startsWith('console='))).toEqual(['console=tty0', 'console=ttyS0,115200']);
    expect(Object.keys(manifest.files).sort()).toEqual(['initrd.img', 'root.squashfs', 'root.verity', 'systemd-bootx64.efi', 'vmlinuz']);
  });

  it('every file matches its sha256 and size in the manifest', async () => {
    for (const [name, entry] of Object.entries(manifest.files)) {
      const path = join(dir, name);
      expect({ name, sha256: await sha256(path), sizeBytes: (await stat(path)).size }).toEqual({ name, ...entry });
    }
  });

  it('the root verifies against its hash tree with the manifest root hash; a flipped byte does not', async () => {
    const verity = manifest.verity;
    if (!verity) throw new Error('the demo bundle must carry verity');
    const root = join(dir, manifest.rootfs.file);
    const hashes = join(dir, verity.hashFile);
    await execa('veritysetup', ['verify', root, hashes, verity.rootHash]);

    const dump = await execa('veritysetup', ['dump', hashes]);
    expect(dump.stdout).toMatch(new RegExp(`Salt:\\s+${verity.salt}`));

    const damaged = join(work, 'root-damaged.squashfs');
    await copyFile(root, damaged);
    const fh = await open(damaged, 'r+');
    const at = Math.floor(manifest.rootfs.sizeBytes / 3);
    const byte = Buffer.alloc(1);
    await fh.read(byte, 0, 1, at);
    byte[0] = (byte[0] ?? 0) ^ 0x80;
    await fh.write(byte, 0, 1, at);
    await fh.close();
    const bad = await execa('veritysetup', ['verify', damaged, hashes, verity.rootHash], { reject: false });
    expect(bad.exitCode).not.toBe(0);
  });

  it('the initramfs holds the init, veritysetup with its libraries and the kernel modules of the boot contract', async () => {
    const initrd = join(dir, manifest.initrd);
    const head = Buffer.alloc(4);
    const fh = await open(initrd, 'r');
    await fh.read(head, 0, 4, 0);
    await fh.close();
    const decompress = head.readUInt32LE(0) === 0xfd2fb528 ? ['zstd', '-dc', initrd] : ['gzip', '-dc', initrd];
    const list = await execa(decompress[0] as string, decompress.slice(1), { encoding: 'buffer' }).then((d) =>
      execa('cpio', ['-t', '--quiet'], { input: d.stdout }),
    );
    const files = list.stdout.split('\n');
    for (const f of ['init', 'bin/busybox', 'sbin/veritysetup', 'lib/iios/common.sh', 'lib/x86_64-linux-gnu/libcryptsetup.so.12']) {
      expect(files).toContain(f);
    }
    const modules = files.filter((f) => f.endsWith('.ko')).map((f) => f.replace(/^.*\//, '').replace(/\.ko$/, '').replace(/-/g, '_'));
    for (const m of ['virtio_blk', 'virtio_pci', 'squashfs', 'erofs', 'overlay', 'btrfs', 'ext4', 'vfat', 'nls_cp437', 'dm_mod', 'dm_verity', 'usb_storage', 'uas', 'xhci_pci', 'ahci', 'sd_mod']) {
      expect(modules).toContain(m);
    }
    expect(files.some((f) => /^lib\/modules\/[^/]+\/modules\.dep$/.test(f))).toBe(true);
  });

  it('stays under 40 MB in total', () => {
    const total = Object.values(manifest.files).reduce((n, f) => n + f.sizeBytes, 0);
    console.log(`demo OS bundle: ${total} bytes (${(total / 1024 / 1024).toFixed(1)} MiB)`);
    expect(total).toBeLessThan(MB40);
  });

  it('a second build with unchanged inputs is a cache hit that keeps the files', async () => {
    const before = (await stat(join(dir, 'vmlinuz'))).mtimeMs;
    const again = await execa('bash', [join(appRoot(), 'resources', 'demo-os', 'build.sh')], { cwd: appRoot() });
    expect(again.stdout.trim().split('\n').pop()).toBe(dir);
    expect(again.stderr).toContain('up to date');
    expect((await stat(join(dir, 'vmlinuz'))).mtimeMs).toBe(before);
  });

  it('run by iios, the build says its progress as typed lines: a cache hit is one up-to-date line', async () => {
    const lines: DemoBuildLine[] = [];
    expect(await ensureDemoBundle({ onLine: (l) => lines.push(l) })).toBe(dir);
    expect(lines).toEqual([{ key: 'up-to-date', hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(demoBuildLineWords(lines[0]!)).toBe('the demo OS is up to date');
  });
});
