// Reading sticks and images as a normal user does: /dev/loopN belongs to root:disk (0660), so `blockdev
// --getsize64` cannot open it and the app reads /sys/class/block/<dev>/size instead; the user's PATH has no sbin
// folder, where sfdisk lives, and the app's runner adds them. Root attaches a loop device and makes a partitioned
// image file for the user; an unprivileged user made by the test runs `iios inspect --json` on both. All removed
// afterwards, even on failure.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sysfsDeviceBytes, targetSize } from '../../src-main/services/stick/stick-reader.ts';
import { iios, REPO } from '../support/iios-cli.ts';
import { makeThrowawayUser, type ThrowawayUser } from '../support/throwaway-user.ts';

const MiB = 1024 ** 2;
const BYTES = 72 * MiB + 512 * 3;
const CLI = join(REPO, 'src-main', 'cli', 'iios.mjs');
const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('reading a stick or an image without root', () => {
  let dir = '';
  let dev = '';
  let user: ThrowawayUser | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iios-elevgui-size-'));
    const file = join(dir, 'stick.img');
    await writeFile(file, '');
    await truncate(file, BYTES);
    dev = (await execa('losetup', ['-f', '--show', file])).stdout.trim();
    user = await makeThrowawayUser('iioss');
    // the user cannot rebuild the checkout's bundles: root makes sure they are current
    expect((await iios(['--help'])).exitCode).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await user?.cleanup();
    if (dev) await execa('losetup', ['-d', dev], { reject: false });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sysfs gives the same size as blockdev, also through a link to the device; null where sysfs has none', async () => {
    expect(Number((await execa('blockdev', ['--getsize64', dev])).stdout.trim())).toBe(BYTES);
    expect(await sysfsDeviceBytes(dev)).toBe(BYTES);
    const link = join(dir, 'link-to-dev');
    await execa('ln', ['-s', dev, link]);
    expect(await targetSize(link)).toEqual({ kind: 'device', sizeBytes: BYTES });
    expect(await sysfsDeviceBytes(dev, join(dir, 'no-sysfs'))).toBeNull();
    expect(await sysfsDeviceBytes(join(dir, 'stick.img'))).toBeNull();
  });

  it('`iios inspect --json` as a user who cannot open the device: its size, not a blockdev failure', async () => {
    const open = await user!.run('/usr/bin/head', ['-c', '1', dev]);
    expect(open.exitCode, 'the user must not be able to open the device').not.toBe(0);
    expect(existsSync('/sys/class/block')).toBe(true);
    const r = await user!.run(process.execPath, [CLI, 'inspect', '--json', dev]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ path: dev, kind: 'device', sizeBytes: BYTES });
  }, 120_000);

  it("`iios inspect --json` of the user's own partitioned image file: sfdisk (in /usr/sbin) is found and reads its table", async () => {
    const image = join(user!.home, 'mine.img');
    await writeFile(image, '');
    await truncate(image, 64 * MiB);
    await execa('sgdisk', ['-n', '1:2048:+16M', '-c', '1:IIOS-ESP', '-t', '1:ef00', image]);
    await execa('chown', [`${user!.uid}:${user!.gid}`, image]);
    const r = await user!.run(process.execPath, [CLI, 'inspect', '--json', image]);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { kind: string; layoutError: string | null; layout: { partitions: { name: string }[] } | null };
    expect(info.layoutError).toBeNull();
    expect(info).toMatchObject({ kind: 'image-file', layout: { partitions: [{ name: 'IIOS-ESP' }] } });
  }, 120_000);
});
