// Refusals before anything is written, by the helper itself (the app is bypassed: the job goes straight
// to the helper): a bundle file with a wrong sha256, a truncated root image, a target too small, the
// system disk, an invalid job. The target's bytes are compared before and after.
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, open, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeBundle, sha256File, type TestBundle } from '../support/make-bundle.ts';
import { runHelper } from '../support/run-helper.ts';
import { makeLoop, type TestLoop } from '../support/helper-checks.ts';

const MiB = 1024 * 1024;
const classroom = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/classroom.yaml'), 'utf8'), 'classroom.yaml', 'classroom');

let bundle: TestBundle;
let work: string;
let loop: TestLoop;

beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 2 * MiB });
  work = await mkdtemp(join(tmpdir(), 'iios-refuse-'));
  // An "old stick": a GPT and recognisable bytes at the start and the end.
  loop = await makeLoop(720 * MiB);
  await execa('sgdisk', ['-o', '-n', '1:2048:+100M', '-c', '1:old-stick', loop.dev]);
  const fh = await open(loop.dev, 'r+');
  await fh.write(Buffer.alloc(MiB, 0xa5), 0, MiB, 200 * MiB);
  await fh.close();
});
afterAll(async () => {
  await loop?.cleanup();
  await bundle?.cleanup();
  await rm(work, { recursive: true, force: true });
});

async function bundleCopy(name: string, spoil: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(work, name);
  await cp(bundle.dir, dir, { recursive: true });
  await spoil(dir);
  return dir;
}

const job = (bundleDir: string, target: { kind: 'device' | 'image-file'; path: string; sizeBytes?: number }) => ({
  jobId: 'refusal',
  profile: classroom,
  bundleDir,
  manifest: bundle.manifest,
  targets: [{ id: 't1', sizeBytes: 720 * MiB, hostname: 'class-01', ...target }],
});

/** Runs the job and checks it was refused with nothing written: no step past "check", loop bytes unchanged. */
async function expectRefused(j: unknown, message: RegExp) {
  const before = await sha256File(loop.file);
  const r = await runHelper(j);
  expect(r.error ?? '').toMatch(message);
  expect(r.exitCode).not.toBe(0);
  for (const e of r.events) if (e.kind === 'phase') expect(e.phase).toBe('check');
  expect(r.results?.every((x) => !x.ok)).toBe(true);
  expect(await sha256File(loop.file)).toBe(before);
  return r;
}

describe('helper refuses before writing anything', () => {
  it('a bundle file whose sha256 differs from the manifest', async () => {
    const dir = await bundleCopy('flipped', async (d) => {
      const fh = await open(join(d, 'vmlinuz'), 'r+');
      await fh.write(Buffer.from('X'), 0, 1, 3);
      await fh.close();
    });
    await expectRefused(job(dir, { kind: 'device', path: loop.dev }), /bundle file vmlinuz has sha256 [0-9a-f]{64}, the manifest says/);
  });

  it('a truncated root image', async () => {
    const dir = await bundleCopy('truncated', (d) => truncate(join(d, 'root.squashfs'), bundle.manifest.rootfs.sizeBytes - 4096));
    await expectRefused(job(dir, { kind: 'device', path: loop.dev }), /root\.squashfs is \d+ bytes, the manifest says \d+ \(truncated or replaced\)/);
  });

  it('a target too small for the profile', async () => {
    const small = await makeLoop(300 * MiB);
    try {
      const before = await sha256File(small.file);
      const r = await runHelper(job(bundle.dir, { kind: 'device', path: small.dev }));
      expect(r.failed('t1')?.message).toMatch(/target is 314\.6 MB but the classroom profile needs at least/);
      expect(r.phases('t1')).toEqual(['check']);
      expect(await sha256File(small.file)).toBe(before);
    } finally {
      await small.cleanup();
    }
  });

  it('an image file too small is not even created', async () => {
    const path = join(work, 'small.img');
    const r = await runHelper(job(bundle.dir, { kind: 'image-file', path, sizeBytes: 100 * MiB }));
    expect(r.failed('t1')?.message).toMatch(/too small|needs at least/);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it('the system disk, even when the app was bypassed; the other target is not written either', async () => {
    const root = (await execa('findmnt', ['-n', '-o', 'SOURCE', '/'])).stdout.trim().replace(/\[.*\]$/, '');
    const disk = (await execa('lsblk', ['-n', '-p', '-s', '-o', 'NAME,TYPE', root])).stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .find(([, type]) => type === 'disk' || type === 'loop')?.[0];
    expect(disk, `the disk under / (${root})`).toBeTruthy();
    const j = { ...job(bundle.dir, { kind: 'device', path: disk! }), targets: [
      { id: 't1', kind: 'device', path: disk!, sizeBytes: 720 * MiB, hostname: 'class-01' },
      { id: 't2', kind: 'device', path: loop.dev, sizeBytes: 720 * MiB, hostname: 'class-02' },
    ] };
    const r = await expectRefused(j, /holds the running system; iios never writes to it/);
    expect(r.failed('t1')?.message).toMatch(/holds the running system/);
    expect(r.failed('t2')?.message).toBe('not written: another target of this job was refused');
  });

  it('a mounted target unless the job allows unmounting it', async () => {
    const stick = await makeLoop(720 * MiB);
    const dir = await mkdtemp(join(tmpdir(), 'iios-mounted-'));
    try {
      await execa('mkfs.ext4', ['-q', '-F', stick.dev]);
      await execa('mount', [stick.dev, dir]);
      const before = await sha256File(stick.file);
      const refused = await runHelper(job(bundle.dir, { kind: 'device', path: stick.dev }));
      expect(refused.failed('t1')?.message).toMatch(new RegExp(`is mounted at ${dir}; unmount it first or allow unmounting`));
      expect(await sha256File(stick.file)).toBe(before);
      const r = await runHelper({ ...job(bundle.dir, { kind: 'device', path: stick.dev }), unmountIfMounted: true });
      expect(r.results).toEqual([{ targetId: 't1', ok: true, verified: true }]);
      expect(r.events).toContainEqual({ kind: 'log', targetId: 't1', level: 'info', message: `unmounting ${dir}` });
      expect((await execa('findmnt', ['-rn', '-o', 'TARGET'])).stdout.split('\n')).not.toContain(dir);
    } finally {
      await execa('umount', [dir], { reject: false });
      await rm(dir, { recursive: true, force: true });
      await stick.cleanup();
    }
  });

  it('a job that does not pass the schema', async () => {
    const r = await runHelper({ ...job(bundle.dir, { kind: 'device', path: loop.dev }), targets: [{ id: 't1', kind: 'device', path: 'sda', sizeBytes: 1, hostname: 'X' }] });
    expect(r.error).toMatch(/^the job is not valid/);
    expect(r.events.filter((e) => e.kind === 'phase')).toEqual([]);
  });

  it('an image-file target inside the bundle', async () => {
    const dir = await bundleCopy('inside', async (d) => writeFile(join(d, 'extra.txt'), 'x'));
    const r = await runHelper(job(dir, { kind: 'image-file', path: join(dir, 'root.squashfs') }));
    expect(r.failed('t1')?.message).toMatch(/is \(or is inside\) the image source/);
    expect(await sha256File(join(dir, 'root.squashfs'))).toBe(bundle.manifest.files['root.squashfs']!.sha256);
  });
});
