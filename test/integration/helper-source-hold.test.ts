// The helper reads sources through the files it checked, held open: swapping a path for a link to another
// file after the check changes nothing of what is read (the image, a bundle's files and its manifest).
import { createHash } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WriteJob } from '../../src-shared/job/write-job.ts';
import { sourceReadCheck } from '../../helpers/source-access.ts';
import { closeSource, loadBundle, loadRawImage, type Source } from '../../helpers/source.ts';
import { makeBundle } from '../support/make-bundle.ts';
import { copyTreeAs } from '../../helpers/steps/caches.ts';

const dirs: string[] = [];
const held: Source[] = [];
afterEach(async () => {
  for (const s of held.splice(0)) await closeSource(s);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function swapForLink(path: string, to: string): Promise<void> {
  await rename(path, `${path}.moved`);
  await symlink(to, path);
}

describe('held-open sources', () => {
  it('a raw image swapped for a link after the check is still read as the image that was checked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iios-hold-'));
    dirs.push(dir);
    const image = join(dir, 'disk.img');
    const secret = join(dir, 'secret');
    await writeFile(image, Buffer.alloc(8192, 7));
    await writeFile(secret, 'not for the stick\n');
    const source = await loadRawImage({ imagePath: image } as WriteJob, await sourceReadCheck({}), new AbortController().signal);
    held.push(source);
    await swapForLink(image, secret);
    expect(source.kind === 'raw' && source.shownPath).toBe(image);
    expect(sha(await readFile(source.kind === 'raw' ? source.path : ''))).toBe(sha(Buffer.alloc(8192, 7)));
  });

  it('bundle files and the manifest swapped after the check: the checked ones are read, the manifest text kept', async () => {
    const bundle = await makeBundle({ randomBytes: 64 * 1024 });
    dirs.push(bundle.dir);
    const rootPath = join(bundle.dir, bundle.manifest.rootfs.file);
    const rootSha = sha(await readFile(rootPath));
    const text = await readFile(join(bundle.dir, 'manifest.json'), 'utf8');
    const secret = await mkdtemp(join(tmpdir(), 'iios-hold-secret-'));
    dirs.push(secret);
    await writeFile(join(secret, 'shadow'), 'not for the stick\n');
    const source = await loadBundle({ bundleDir: bundle.dir } as WriteJob, await sourceReadCheck({}), new AbortController().signal);
    held.push(source);
    await swapForLink(rootPath, join(secret, 'shadow'));
    await swapForLink(join(bundle.dir, 'manifest.json'), join(secret, 'shadow'));
    if (source.kind !== 'bundle') throw new Error('not a bundle');
    expect(source.files[bundle.manifest.rootfs.file]).toMatch(/^\/proc\/\d+\/fd\/\d+$/);
    expect(sha(await readFile(source.files[bundle.manifest.rootfs.file]!))).toBe(rootSha);
    expect(source.manifestText).toBe(text);
    expect(source.paths).toContain(rootPath);
  });

  it.skipIf(process.getuid?.() !== 0)('a cache tree is copied with the rights of the user who started iios, not root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iios-hold-cache-'));
    dirs.push(dir);
    await chmod(dir, 0o755);
    const src = join(dir, 'apt');
    await mkdir(join(src, 'archives'), { recursive: true });
    await writeFile(join(src, 'archives', 'a.deb'), 'deb\n');
    await chmod(join(src, 'archives', 'a.deb'), 0o640);
    await chmod(join(src, 'archives'), 0o755);
    await chmod(src, 0o755);
    await symlink('archives/a.deb', join(src, 'latest.deb'));
    const nobody = { uid: 65534, gids: [65534] };
    const dest = join(dir, 'stick-caches');
    await mkdir(dest);
    // 0640 root:root: readable by root only, so the user's copy must fail ...
    await expect(copyTreeAs(nobody, src, dest, new AbortController().signal)).rejects.toThrow(/Permission denied/);
    // ... and with the file open to everyone, the tree arrives whole: content, mode, link
    await chmod(join(src, 'archives', 'a.deb'), 0o644);
    await rm(dest, { recursive: true, force: true });
    await mkdir(dest);
    await copyTreeAs(nobody, src, dest, new AbortController().signal);
    expect(await readFile(join(dest, 'archives', 'a.deb'), 'utf8')).toBe('deb\n');
    expect((await lstat(join(dest, 'archives', 'a.deb'))).mode & 0o777).toBe(0o644);
    expect(await readlink(join(dest, 'latest.deb'))).toBe('archives/a.deb');
  });

  it('a manifest.json that links inside the bundle is read; one that links outside is refused', async () => {
    const bundle = await makeBundle({ randomBytes: 16 * 1024 });
    dirs.push(bundle.dir);
    await rename(join(bundle.dir, 'manifest.json'), join(bundle.dir, 'manifest-1.json'));
    await symlink('manifest-1.json', join(bundle.dir, 'manifest.json'));
    const source = await loadBundle({ bundleDir: bundle.dir } as WriteJob, await sourceReadCheck({}), new AbortController().signal);
    held.push(source);
    expect(source.kind === 'bundle' && source.manifest.name).toBe(bundle.manifest.name);
    const outside = await mkdtemp(join(tmpdir(), 'iios-hold-outside-'));
    dirs.push(outside);
    await rename(join(bundle.dir, 'manifest-1.json'), join(outside, 'manifest.json'));
    await rm(join(bundle.dir, 'manifest.json'));
    await symlink(join(outside, 'manifest.json'), join(bundle.dir, 'manifest.json'));
    await expect(loadBundle({ bundleDir: bundle.dir } as WriteJob, await sourceReadCheck({}), new AbortController().signal)).rejects.toThrow(/manifest.json points outside the bundle/);
  });
});
