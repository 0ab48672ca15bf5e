// `iios bundle create` on small made-up system trees, with the real tools (cp, skopeo, umoci, busybox,
// mksquashfs / mkfs.erofs, veritysetup): a tree given as dir: and the same tree as an OCI archive made offline
// with umoci (two layers, the second deleting a file through a whiteout) and as a docker archive made from it by
// skopeo give the same root image content (unpacked by iios's own layer application), owners, modes, xattrs and
// file capabilities included; a tree without a kernel is refused and leaves nothing;
// a bundle whose files change after create is refused when loaded.
import { execa } from 'execa';
import { chmod, chown, mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBundle } from '../../src-main/services/bundles/create-bundle.ts';
import { parseBundleSource } from '../../src-main/services/bundles/bundle-source.ts';
import { readModulesList } from '../../src-main/services/bundles/initramfs.ts';
import { BundleError, loadBundle } from '../../src-main/services/sources/bundles.ts';
import { resourcesDir } from '../../src-main/services/app/app-info.ts';
import { readFile } from 'node:fs/promises';
import type { BundleLog } from '../../src-main/services/bundles/bundle-log.ts';

const isRoot = process.getuid?.() === 0;
const RELEASE = '6.1.0-99-amd64';

/** A tiny system: busybox, a kernel file, every module of modules.list declared built in, and files with owners, modes, an xattr and a capability. */
async function makeTree(root: string, extra: Record<string, string> = {}): Promise<void> {
  await mkdir(join(root, 'usr/bin'), { recursive: true });
  await mkdir(join(root, `usr/lib/modules/${RELEASE}`), { recursive: true });
  await mkdir(join(root, 'boot'));
  await mkdir(join(root, 'etc'));
  await execa('cp', ['/bin/busybox', join(root, 'usr/bin/busybox')]);
  await execa('ln', ['-s', 'usr/bin', join(root, 'bin')]);
  await execa('ln', ['-s', '../usr/bin/busybox', join(root, 'etc/init-link')]);
  await writeFile(join(root, `boot/vmlinuz-${RELEASE}`), 'not really a kernel\n');
  const wanted = readModulesList(await readFile(join(resourcesDir(), 'initramfs/modules.list'), 'utf8'));
  await writeFile(join(root, `usr/lib/modules/${RELEASE}/modules.dep`), '');
  await writeFile(join(root, `usr/lib/modules/${RELEASE}/modules.builtin`), wanted.map((m) => `kernel/${m}.ko\n`).join(''));
  await writeFile(join(root, 'etc/os-release'), 'ID=iios-test\n');
  await writeFile(join(root, 'etc/secret'), 'only root\n');
  await chmod(join(root, 'etc/secret'), 0o600);
  await mkdir(join(root, 'home/pupil'), { recursive: true });
  await chown(join(root, 'home/pupil'), 1001, 1002);
  await writeFile(join(root, 'usr/bin/ping-like'), 'cap\n');
  await chmod(join(root, 'usr/bin/ping-like'), 0o755);
  await execa('setcap', ['cap_net_raw+ep', join(root, 'usr/bin/ping-like')]);
  await execa('setfattr', ['-n', 'user.iios.note', '-v', 'kept', join(root, 'etc/os-release')]);
  for (const [rel, text] of Object.entries(extra)) await writeFile(join(root, rel), text);
}

/** Every entry of a squashfs with mode, owner, size and xattrs, as unsquashfs lists them (timestamps left out). */
async function rootListing(image: string): Promise<string[]> {
  const { stdout } = await execa('unsquashfs', ['-lln', '-no-progress', image]);
  return stdout
    .split('\n')
    .filter((l) => l.includes('squashfs-root'))
    .map((l) => l.replace(/\d{4}-\d\d-\d\d \d\d:\d\d /, '').replace(/\s+/g, ' '))
    .sort();
}

async function xattrsOf(image: string, dir: string): Promise<string> {
  const out = join(dir, 'unpacked');
  await execa('unsquashfs', ['-no-progress', '-d', out, image]);
  const caps = (await execa('getcap', [join(out, 'usr/bin/ping-like')])).stdout.replace(out, '');
  const note = (await execa('getfattr', ['--only-values', '-n', 'user.iios.note', join(out, 'etc/os-release')])).stdout;
  await rm(out, { recursive: true, force: true });
  return `${caps} | ${note}`;
}

describe.skipIf(!isRoot)('iios bundle create', () => {
  let work = '';
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'iios-bundle-create-'));
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('a dir: tree, an OCI archive and a docker archive of the same tree (whiteout in the second layer) give the same root', async () => {
    const tree = join(work, 'tree');
    await makeTree(tree);

    // The OCI archive, offline: layer 1 = the tree plus a file, layer 2 deletes that file (a whiteout).
    const layout = join(work, 'layout');
    const unpacked = join(work, 'oci-bundle');
    await execa('umoci', ['init', '--layout', layout]);
    await execa('umoci', ['new', '--image', `${layout}:t`]);
    await execa('umoci', ['unpack', '--image', `${layout}:t`, unpacked]);
    await execa('cp', ['-a', `${tree}/.`, join(unpacked, 'rootfs')]);
    await writeFile(join(unpacked, 'rootfs/etc/removed-later'), 'gone in layer 2\n');
    await mkdir(join(unpacked, 'rootfs/etc/removed-dir'));
    await writeFile(join(unpacked, 'rootfs/etc/removed-dir/inside'), 'gone in layer 2\n');
    await execa('umoci', ['repack', '--image', `${layout}:t`, unpacked]);
    // layer 2 from a fresh unpack of layer 1 (a second repack of the same bundle would diff against the empty image)
    const unpacked2 = join(work, 'oci-bundle-2');
    await execa('umoci', ['unpack', '--image', `${layout}:t`, unpacked2]);
    await rm(join(unpacked2, 'rootfs/etc/removed-later'));
    await rm(join(unpacked2, 'rootfs/etc/removed-dir'), { recursive: true });
    await execa('umoci', ['repack', '--image', `${layout}:t`, unpacked2]);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    expect(index.manifests.length).toBe(1);
    const manifest = JSON.parse(await readFile(join(layout, 'blobs/sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as { layers: { digest: string }[] };
    expect(manifest.layers).toHaveLength(2);
    const top = (await execa('tar', ['-tzf', join(layout, 'blobs/sha256', manifest.layers[1]!.digest.slice(7))])).stdout.split('\n').sort();
    expect(top).toEqual(expect.arrayContaining(['etc/.wh.removed-dir', 'etc/.wh.removed-later']));
    const archive = join(work, 'tree.oci.tar');
    await execa('tar', ['-C', layout, '-cf', archive, '.']);

    const dockerArchive = join(work, 'tree.docker.tar');
    await execa('skopeo', ['copy', '--quiet', `oci:${layout}:t`, `docker-archive:${dockerArchive}:iios/tiny:1`]);

    const fromDir = await createBundle({ source: parseBundleSource(`dir:${tree}`), name: 'tiny', version: '1', out: join(work, 'b-dir') });
    const ociLog: BundleLog[] = [];
    const fromOci = await createBundle({ source: parseBundleSource(`oci-archive:${archive}:t`), name: 'tiny', version: '1', out: join(work, 'b-oci'), log: (l) => ociLog.push(l) });
    const fromDocker = await createBundle({ source: parseBundleSource(`docker-archive:${dockerArchive}`), name: 'tiny', version: '1', out: join(work, 'b-docker') });
    expect(ociLog.filter((l) => l.key === 'layer' && l.count === 2)).toHaveLength(2);
    const a = await rootListing(join(fromDir.dir, 'root.squashfs'));
    const b = await rootListing(join(fromOci.dir, 'root.squashfs'));
    expect(await rootListing(join(fromDocker.dir, 'root.squashfs'))).toEqual(a);
    expect(await xattrsOf(join(fromDocker.dir, 'root.squashfs'), work)).toBe('/usr/bin/ping-like cap_net_raw=ep | kept');
    expect(a.some((l) => l.includes('/etc/secret') && l.startsWith('-rw------- 0/0'))).toBe(true);
    expect(a.some((l) => l.includes('/home/pupil') && l.includes(' 1001/1002 '))).toBe(true);
    expect(b.some((l) => l.includes('removed-') || l.includes('.wh.'))).toBe(false);
    expect(b).toEqual(a);
    expect(await xattrsOf(join(fromOci.dir, 'root.squashfs'), work)).toBe(await xattrsOf(join(fromDir.dir, 'root.squashfs'), work));
    expect(await xattrsOf(join(fromDir.dir, 'root.squashfs'), work)).toBe('/usr/bin/ping-like cap_net_raw=ep | kept');
    // the source tree was not touched
    expect((await readdir(join(tree, 'usr/lib'))).sort()).toEqual(['modules']);

    const loaded = await loadBundle(fromDir.dir);
    expect(loaded.manifest.build).toMatchObject({ source: `dir:${tree}`, kernelRelease: RELEASE, iiosAdditions: [] });
  });

  it('makes an erofs root with its verity tree', async () => {
    const tree = join(work, 'tree-erofs');
    await makeTree(tree);
    const made = await createBundle({ source: parseBundleSource(`dir:${tree}`), name: 'tiny', version: '2', out: join(work, 'b-erofs'), rootfs: 'erofs' });
    expect(made.manifest.rootfs.kind).toBe('erofs');
    const { exitCode } = await execa('veritysetup', ['verify', join(made.dir, 'root.erofs'), join(made.dir, 'root.verity'), made.manifest.verity!.rootHash], { reject: false });
    expect(exitCode).toBe(0);
  });

  it('refuses a tree without a kernel and leaves no bundle behind', async () => {
    const tree = join(work, 'no-kernel');
    await makeTree(tree);
    await rm(join(tree, `boot/vmlinuz-${RELEASE}`));
    const out = join(work, 'b-none');
    await expect(createBundle({ source: parseBundleSource(`dir:${tree}`), name: 'x', version: '1', out })).rejects.toThrow(/holds no kernel/);
    expect(await stat(out).catch(() => null)).toBeNull();
    expect((await readdir(work)).filter((n) => n.includes('partial'))).toEqual([]);
  });

  it('a created bundle whose root image or initramfs changes afterwards is refused', async () => {
    const tree = join(work, 'tree-changed');
    await makeTree(tree);
    const made = await createBundle({ source: parseBundleSource(`dir:${tree}`), name: 'tiny', version: '3', out: join(work, 'b-changed') });
    await loadBundle(made.dir);
    for (const file of ['root.squashfs', 'initrd.img']) {
      const fh = await open(join(made.dir, file), 'r+');
      const b = Buffer.alloc(1);
      await fh.read(b, 0, 1, 1000);
      b[0] = b[0]! ^ 1;
      await fh.write(b, 0, 1, 1000);
      const err = await loadBundle(made.dir).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(BundleError);
      expect((err as BundleError).kind).toBe('wrong-hash');
      expect((err as BundleError).file).toBe(file);
      b[0] = b[0]! ^ 1;
      await fh.write(b, 0, 1, 1000);
      await fh.close();
    }
    await loadBundle(made.dir);
  });
});
