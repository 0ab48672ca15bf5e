// `iios repair` and `iios reset` on sticks written by the real helper, checked with independent tools: a slot A
// with a flipped byte fails veritysetup before the repair and verifies after it, with @home untouched; a
// classroom stick's changed system and @home go back to factory (@home kept with --keep-home).
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { iios } from '../support/iios-cli.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { runHelper } from '../support/run-helper.ts';
import { espFile, partByName, readGpt, verityVerify, withLoopOver, withMountedPart } from '../support/helper-checks.ts';

const MiB = 1024 * 1024;
const profile = (id: string) => parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles', `${id}.yaml`), 'utf8'), `${id}.yaml`, id);
let bundle: TestBundle;
let work: string;

beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 3 * MiB, name: 'iios-fix', version: '2.0' });
  work = await mkdtemp(join(tmpdir(), 'iios-repair-it-'));
});
afterAll(async () => {
  await bundle?.cleanup();
  await rm(work, { recursive: true, force: true });
});

async function write(id: 'appliance' | 'classroom', path: string, sizeBytes: number): Promise<void> {
  const r = await runHelper({ jobId: `w-${id}`, profile: profile(id), bundleDir: bundle.dir, manifest: bundle.manifest, targets: [{ id: 't', kind: 'image-file', path, sizeBytes, hostname: `${id}-07` }] });
  expect(r.results, r.stderr).toEqual([{ targetId: 't', ok: true, verified: true }]);
}

describe('iios repair', () => {
  it('rewrites a slot that fails verity from the stick\'s own bundle; @home is kept', async () => {
    const stick = join(work, 'appliance.img');
    await write('appliance', stick, 1700 * MiB);
    const { parts } = await readGpt(stick);
    await withMountedPart(stick, partByName(parts, 'iios-data'), async (dir) => {
      await mkdir(join(dir, '@home/u'), { recursive: true });
      await writeFile(join(dir, '@home/u/keep.txt'), 'still here\n');
    }, false);
    const stamp = JSON.parse((await espFile(stick, parts, '/iios/stick.json'))!) as { slots: { a: { rootHash: string } } };
    const rootA = partByName(parts, 'iios-root-a');
    const fh = await open(stick, 'r+');
    const b = Buffer.alloc(1);
    const at = rootA.start * 512 + 100 * 4096 + 17;
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0xff;
    await fh.write(b, 0, 1, at);
    await fh.close();
    expect(await verityVerify(stick, parts, 'a', stamp.slots.a.rootHash)).not.toBe(0);
    const before = await iios(['inspect', stick]);
    expect(before.stdout).toMatch(/status: NEEDS REPAIR — slot a does not match its bundle iios-fix 2\.0 .*: run iios repair/);

    const r = await iios(['repair', stick, '--yes'], { timeoutMs: 600_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect((await iios(['inspect', stick])).stdout).not.toMatch(/NEEDS REPAIR/);
    const after = await readGpt(stick);
    expect(await verityVerify(stick, after.parts, 'a', stamp.slots.a.rootHash)).toBe(0);
    expect(await verityVerify(stick, after.parts, 'b', stamp.slots.a.rootHash)).toBe(0);
    const newStamp = JSON.parse((await espFile(stick, after.parts, '/iios/stick.json'))!) as Record<string, unknown>;
    expect(newStamp).toMatchObject({ complete: true, hostname: 'appliance-07', profile: 'appliance' });
    expect(newStamp.repairedAt).toEqual(expect.any(String));
    const kept = await withMountedPart(stick, partByName(after.parts, 'iios-data'), (dir) => readFile(join(dir, '@home/u/keep.txt'), 'utf8'));
    expect(kept).toBe('still here\n');
  }, 600_000);
});

describe('iios reset', () => {
  it('puts @ back to the factory snapshot; @home kept with --keep-home, emptied without', async () => {
    const stick = join(work, 'classroom.img');
    await write('classroom', stick, 900 * MiB);
    const { parts } = await readGpt(stick);
    const sys = partByName(parts, 'iios-system');
    await withMountedPart(stick, sys, async (dir) => {
      await writeFile(join(dir, '@/etc/broken.conf'), 'pupil was here\n');
      await writeFile(join(dir, '@/etc/os-release'), 'NAME=broken\n');
      await mkdir(join(dir, '@home/u'), { recursive: true });
      await writeFile(join(dir, '@home/u/essay.txt'), 'essay\n');
    }, false);
    const look = () =>
      withMountedPart(stick, sys, async (dir) => ({
        broken: await readFile(join(dir, '@/etc/broken.conf'), 'utf8').catch(() => null),
        osRelease: await readFile(join(dir, '@/etc/os-release'), 'utf8'),
        hostname: await readFile(join(dir, '@/etc/hostname'), 'utf8'),
        essay: await readFile(join(dir, '@home/u/essay.txt'), 'utf8').catch(() => null),
        subvolumes: (await execa('btrfs', ['subvolume', 'list', dir])).stdout.split('\n').map((l) => / path (.+)$/.exec(l)?.[1]).filter(Boolean).sort(),
      }));
    const r1 = await iios(['reset', stick, '--keep-home', '--yes'], { timeoutMs: 300_000 });
    expect(r1.exitCode, r1.stdout + r1.stderr).toBe(0);
    const subvolumes = ['@', '@caches', '@home', '@iios', '@snapshots', '@snapshots/factory'];
    expect(await look()).toEqual({ broken: null, osRelease: 'NAME=iios-test\nVERSION=2.0\n', hostname: 'classroom-07\n', essay: 'essay\n', subvolumes });
    const r2 = await iios(['reset', stick, '--yes'], { timeoutMs: 300_000 });
    expect(r2.exitCode, r2.stdout + r2.stderr).toBe(0);
    expect((await look()).essay).toBeNull();
    expect((await look()).subvolumes).toEqual(subvolumes);
    expect(await withLoopOver(stick, sys, async (dev) => (await execa('btrfs', ['check', '--readonly', dev], { reject: false })).exitCode)).toBe(0);
  }, 600_000);

  it('refuses an appliance stick (no writable system to reset)', async () => {
    const stick = join(work, 'appliance-reset.img');
    await write('appliance', stick, 1700 * MiB);
    const r = await iios(['reset', stick, '--yes'], { timeoutMs: 300_000 });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/reset needs a writable system/);
  }, 600_000);
});
