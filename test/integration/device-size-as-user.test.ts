// A block device's size as a normal user sees it: /dev/loopN belongs to root:disk (0660), so `blockdev
// --getsize64` cannot open it; the app reads /sys/class/block/<dev>/size instead. Root attaches a loop device,
// an unprivileged user made by the test runs `iios inspect --json` on it. Removed afterwards, even on failure.
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

describe.skipIf(!isRoot)('the size of a block device, without root', () => {
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
});
