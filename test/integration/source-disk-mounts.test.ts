// The disk that holds the image is never a target, found through the mount table the helper reads itself
// (helpers/mount-source.ts) and the loops in /sys: the image on a filesystem mounted from the target, through a
// bind mount, one loop further (the image on a filesystem in a file on the target's filesystem), and a loop over
// the image itself. Unmounting is allowed in each
// job, so only the source rule stands in the way; the target's bytes are compared before and after.
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { sha256File } from '../support/make-bundle.ts';
import { makeRawImage, type RawImage } from '../support/make-raw-image.ts';
import { runHelper } from '../support/run-helper.ts';
import { makeLoop, type TestLoop } from '../support/helper-checks.ts';
import { mountSourceOf } from '../../helpers/mount-source.ts';

const MiB = 1024 * 1024;
const NO_LAZY_INIT = ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0'];
const raw = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/raw.yaml'), 'utf8'), 'raw.yaml', 'raw');

let work: string;
let image: RawImage;
let outer: TestLoop;
let inner: TestLoop | null = null;
const mounted: string[] = [];

async function mountAt(what: string[], name: string): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir);
  await execa('mount', [...what, dir]);
  mounted.unshift(dir);
  return dir;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-source-mounts-'));
  image = await makeRawImage({ mib: 8 });
  outer = await makeLoop(96 * MiB);
  // No lazy init, and the filesystems mounted read-only once their files are in: ext4 would otherwise write
  // to the target in the background, and the bytes compared below would change with nobody else touching it.
  await execa('mkfs.ext4', NO_LAZY_INIT.concat(outer.dev));
});
afterAll(async () => {
  // the inner filesystem and its loop first: they hold the outer filesystem busy
  const innerDir = mounted.find((d) => d.endsWith('/inner'));
  if (innerDir) await execa('umount', [innerDir], { reject: false });
  await inner?.cleanup();
  for (const dir of mounted.filter((d) => d !== innerDir)) await execa('umount', [dir], { reject: false });
  await outer?.cleanup();
  await image?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

const rawJob = (imagePath: string, target: string) => ({
  jobId: 'source-mounts',
  profile: raw,
  imagePath,
  persistence: false,
  unmountIfMounted: true,
  targets: [{ id: 't1', kind: 'device', path: target, sizeBytes: 96 * MiB, hostname: 'raw-01' }],
});

async function expectSourceRefused(imagePath: string, target: TestLoop): Promise<void> {
  const before = await sha256File(target.file);
  const r = await runHelper(rawJob(imagePath, target.dev));
  expect(r.failed('t1')?.message, r.stderr).toMatch(new RegExp(`${target.dev} holds the image being written; choose another target`));
  expect(r.phases('t1')).toEqual(['check']);
  expect(await sha256File(target.file)).toBe(before);
}

describe('the disk holding the image, found in the mount table', () => {
  it('names the device a path is mounted from as findmnt does', async () => {
    const dir = await mountAt([outer.dev], 'plain');
    const root = (await execa('findmnt', ['-n', '-o', 'SOURCE', '-T', '/'])).stdout.trim().replace(/\[.*\]$/, '');
    expect(mountSourceOf(dir)).toBe(outer.dev);
    expect(mountSourceOf('/')).toBe(root);
    expect(mountSourceOf(join(work, 'no-such-file'))).toBeNull();
  });

  it('refuses the target whose mounted filesystem holds the image', async () => {
    const dir = mounted.find((d) => d.endsWith('/plain'))!;
    await copyFile(image.path, join(dir, 'disk.img'));
    await execa('mount', ['-o', 'remount,ro', dir]);
    await expectSourceRefused(join(dir, 'disk.img'), outer);
  });

  it('refuses it when the image is reached through a bind mount elsewhere', async () => {
    const dir = mounted.find((d) => d.endsWith('/plain'))!;
    const bound = await mountAt(['--bind', dir], 'bound');
    await expectSourceRefused(join(bound, 'disk.img'), outer);
  });

  it('refuses a loop device over the image itself (its backing file, read from /sys)', async () => {
    const copy = join(work, 'looped.img');
    await copyFile(image.path, copy);
    const dev = (await execa('losetup', ['-f', '--show', copy])).stdout.trim();
    try {
      const r = await runHelper(rawJob(copy, dev));
      expect(r.failed('t1')?.message, r.stderr).toMatch(new RegExp(`${dev} is a loop over the image source ${copy}`));
      expect(r.phases('t1')).toEqual(['check']);
      expect(await sha256File(copy)).toBe(image.sha256);
    } finally {
      await execa('losetup', ['-d', dev], { reject: false });
    }
  });

  it('refuses it one loop further: the image on a filesystem in a file on the target', async () => {
    const dir = mounted.find((d) => d.endsWith('/plain'))!;
    // the inner filesystem made beside, with the image in it, then copied onto the target's filesystem and
    // attached read-only from there
    const built = join(work, 'inner-built.img');
    await execa('truncate', ['-s', `${40 * MiB}`, built]);
    await execa('mkfs.ext4', NO_LAZY_INIT.concat(built));
    await execa('debugfs', ['-w', '-R', `write ${image.path} disk.img`, built]);
    await execa('mount', ['-o', 'remount,rw', dir]);
    const file = join(dir, 'inner.img');
    await copyFile(built, file);
    await execa('mount', ['-o', 'remount,ro', dir]);
    const dev = (await execa('losetup', ['-r', '-f', '--show', file])).stdout.trim();
    inner = { dev, file, cleanup: async () => void (await execa('losetup', ['-d', dev], { reject: false })) };
    const innerDir = await mountAt(['-o', 'ro', dev], 'inner');
    expect(await sha256File(join(innerDir, 'disk.img'))).toBe(image.sha256);
    await expectSourceRefused(join(innerDir, 'disk.img'), outer);
  });
});
