// Loading real bundles from a temp dir (mksquashfs + veritysetup via test/support/make-bundle.ts): a good
// bundle loads with progress up to its total; a missing file, a wrong size, a flipped byte and an unknown
// rootfs kind are refused with what is wrong. Raw images are recognised by magic bytes, compressed or not.
import { execa } from 'execa';
import { mkdtemp, open, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleError, loadBundle, readBundleManifest, type BundleProgress } from '../../src-main/services/sources/bundles.ts';
import { inspectImage } from '../../src-main/services/sources/images.ts';
import { listProfiles, loadProfile } from '../../src-main/services/sources/profiles.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';

async function failure(p: Promise<unknown>): Promise<BundleError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(BundleError);
  return err as BundleError;
}

describe('bundle loader', () => {
  let bundle: TestBundle;
  beforeAll(async () => {
    bundle = await makeBundle({ randomBytes: 3 * 1024 * 1024 });
  });
  afterAll(async () => {
    await bundle?.cleanup();
  });

  it('loads a good bundle, hashing every file with progress that ends at the total', async () => {
    const seen: BundleProgress[] = [];
    const loaded = await loadBundle(bundle.dir, { onProgress: (p) => seen.push(p) });
    const total = Object.values(bundle.manifest.files).reduce((n, f) => n + f.sizeBytes, 0);
    expect(loaded.verified).toBe(true);
    expect(loaded.totalBytes).toBe(total);
    expect(loaded.manifest.verity?.rootHash).toBe(bundle.manifest.verity.rootHash);
    expect(Object.keys(loaded.paths).sort()).toEqual(Object.keys(bundle.manifest.files).sort());
    expect(seen.length).toBeGreaterThan(5);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.bytesDone).toBeGreaterThanOrEqual(seen[i - 1]!.bytesDone);
    expect(seen.at(-1)).toMatchObject({ bytesDone: total, bytesTotal: total });
    expect(seen.some((p) => p.file === 'root.squashfs' && p.bytesDone < total)).toBe(true);
  });

  it('refuses a bundle with a missing file before hashing anything', async () => {
    const copy = await makeBundle({ randomBytes: 4096 });
    try {
      await unlink(join(copy.dir, 'initrd.img'));
      let progressCalls = 0;
      const err = await failure(loadBundle(copy.dir, { onProgress: () => progressCalls++ }));
      expect(err.kind).toBe('missing-file');
      expect(err.file).toBe('initrd.img');
      expect(err.message).toBe(`bundle ${copy.dir}: initrd.img is missing (listed in manifest.json)`);
      expect(progressCalls).toBe(0);
    } finally {
      await copy.cleanup();
    }
  });

  it('refuses a file of the right size whose content changed (one flipped byte), naming both hashes', async () => {
    const copy = await makeBundle({ randomBytes: 64 * 1024 });
    try {
      const path = join(copy.dir, 'root.squashfs');
      const fh = await open(path, 'r+');
      const byte = Buffer.alloc(1);
      await fh.read(byte, 0, 1, 1000);
      byte[0] = byte[0]! ^ 0xff;
      await fh.write(byte, 0, 1, 1000);
      await fh.close();
      const { stdout } = await execa('sha256sum', [path]);
      const actual = stdout.split(' ')[0]!;
      const expected = copy.manifest.files['root.squashfs']!.sha256;
      const err = await failure(loadBundle(copy.dir));
      expect(err.kind).toBe('wrong-hash');
      expect(err).toMatchObject({ file: 'root.squashfs', expected, actual });
      expect(err.message).toBe(`bundle ${copy.dir}: root.squashfs has sha256 ${actual}, manifest.json says ${expected}`);
      // a quick look (no hashing) still accepts it: presence and sizes are right
      expect((await loadBundle(copy.dir, { verify: false })).verified).toBe(false);
    } finally {
      await copy.cleanup();
    }
  });

  it('refuses a file whose size differs from the manifest', async () => {
    const copy = await makeBundle({ randomBytes: 4096 });
    try {
      await writeFile(join(copy.dir, 'vmlinuz'), 'a different kernel\n');
      const err = await failure(loadBundle(copy.dir));
      expect(err.kind).toBe('wrong-size');
      expect(err.message).toBe(`bundle ${copy.dir}: vmlinuz is 19 bytes, manifest.json says ${copy.manifest.files.vmlinuz!.sizeBytes}`);
    } finally {
      await copy.cleanup();
    }
  });

  it('refuses an unknown rootfs kind, listing the known ones', async () => {
    const copy = await makeBundle({ randomBytes: 4096 });
    try {
      const file = join(copy.dir, 'manifest.json');
      const m = JSON.parse(await readFile(file, 'utf8')) as { rootfs: { kind: string } };
      m.rootfs.kind = 'ext4';
      await writeFile(file, JSON.stringify(m));
      const err = await failure(loadBundle(copy.dir));
      expect(err.kind).toBe('manifest');
      expect(err.message).toBe(`${file}: rootfs.kind: "ext4" is not a known rootfs kind (allowed: squashfs, erofs, btrfs-seed, raw)`);
    } finally {
      await copy.cleanup();
    }
  });

  it('refuses a directory without manifest.json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iios-notabundle-'));
    try {
      const err = await failure(readBundleManifest(dir));
      expect(err.kind).toBe('no-manifest');
      expect(err.message).toBe(`${dir}/manifest.json: no such file: not an iios bundle`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('built-in profiles from resources/profiles', () => {
  it('lists the four in display order and loads one by id or by path', async () => {
    expect((await listProfiles()).map((p) => p.id)).toEqual(['classroom', 'appliance', 'kiosk', 'raw']);
    expect((await loadProfile('kiosk')).title).toBe('Kiosk');
    expect((await loadProfile('resources/profiles/raw.yaml')).mode).toBe('raw');
    await expect(loadProfile('nope')).rejects.toThrow('nope: no such profile (built-in: classroom, appliance, kiosk, raw; or give a .yaml file)');
    await expect(loadProfile('/nonexistent/p.yaml')).rejects.toThrow('/nonexistent/p.yaml: no such file');
  });
});

describe('raw images', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iios-images-'));
    // a 40 MiB GPT disk image with one partition and some data, then its compressed copies
    const img = join(dir, 'disk.img');
    await execa('truncate', ['-s', '40M', img]);
    await execa('sgdisk', ['-o', '-n', '1:2048:+16M', '-c', '1:data', img]);
    await execa('dd', ['if=/dev/urandom', `of=${img}`, 'bs=1M', 'seek=2', 'count=1', 'conv=notrunc', 'status=none']);
    await execa('sh', ['-c', `xz -T1 -0 -c ${img} > ${img}.xz && gzip -1 -c ${img} > ${img}.gz && zstd -q -1 -c ${img} > ${img}.zst && bzip2 -1 -c ${img} > ${img}.bz2`]);
    // an ISO 9660 signature ("CD001" at 32769) over an MBR boot signature: what a hybrid installer ISO starts with
    const iso = Buffer.alloc(64 * 1024);
    iso[510] = 0x55;
    iso[511] = 0xaa;
    iso.write('\x01CD001', 32768, 'latin1');
    await writeFile(join(dir, 'installer.iso'), iso);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['disk.img', 'none', 'file', true],
    ['disk.img.xz', 'xz', 'xz-index', true],
    // ~1 MiB of gzip cannot hold 4 GiB or more (deflate stays under 1032:1), so its trailer's size is exact
    ['disk.img.gz', 'gzip', 'gzip-trailer', true],
    ['disk.img.zst', 'zstd', 'zstd-frame-header', false],
  ])('%s: %s, 40 MiB uncompressed from %s, GPT inside', async (name, compression, source, exact) => {
    const info = await inspectImage(join(dir, name));
    expect(info).toMatchObject({
      compression, extension: 'img', sizeSource: source, uncompressedBytes: 40 * 1024 * 1024, uncompressedExact: exact,
      content: { iso9660: false, partitionTable: 'gpt' },
    });
  });

  it('bzip2: recognised, the size is not cheaply known', async () => {
    expect(await inspectImage(join(dir, 'disk.img.bz2'))).toMatchObject({
      compression: 'bzip2', uncompressedBytes: null, sizeSource: null, content: { partitionTable: 'gpt' },
    });
  });

  it('an ISO by its volume descriptor, whatever the name', async () => {
    await writeFile(join(dir, 'renamed.bin'), await readFile(join(dir, 'installer.iso')));
    for (const name of ['installer.iso', 'renamed.bin']) {
      const info = await inspectImage(join(dir, name));
      expect(info.content).toEqual({ iso9660: true, partitionTable: 'mbr' });
      expect(info.uncompressedBytes).toBe(64 * 1024);
    }
    expect((await inspectImage(join(dir, 'renamed.bin'))).extension).toBeNull();
  });

  it('refuses a missing or empty file', async () => {
    await writeFile(join(dir, 'empty.img'), '');
    await expect(inspectImage(join(dir, 'empty.img'))).rejects.toThrow('empty file');
    await expect(inspectImage(join(dir, 'nope.img'))).rejects.toThrow('no such file');
  });
});
