// One clone booted for real (OVMF → systemd-boot → the demo OS, QEMU -accel tcg): an appliance stick written
// with the demo bundle, its boot counter set to 5 from the host, cloned with `iios clone` under a new name;
// the clone boots slot A with verity, counts from boots=1 and says its own hostname. A kiosk stick (no @iios:
// cloned from the profile and manifest its ESP keeps) cloned onto a larger stick boots the same way and sees
// its payload. A classroom clone (writable Btrfs system, the source's counter at 5 and a pupil's file in @home)
// boots twice as itself: boots=1, then boots=2 from the counter boot 1 wrote into its @, and after both boots
// the boot log holds both lines and the pupil's file is still there.
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../src-main/services/app/app-info.ts';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { bootUntilReady } from '../../src-main/services/stick/qemu-boot.ts';
import { iios } from '../support/iios-cli.ts';
import { withBtrfs } from '../support/written-stick.ts';

const isRoot = process.getuid?.() === 0;
const logDir = join(appRoot(), 'test-artifacts', 'clone-boot');

describe.skipIf(!isRoot)('a cloned stick boots as itself', () => {
  let work = '';
  let bundle = '';
  beforeAll(async () => {
    bundle = await ensureDemoBundle();
    work = await mkdtemp(join(tmpdir(), 'iios-clone-boot-'));
    await mkdir(logDir, { recursive: true });
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('appliance clone: slot A with verity, boots=1, its own hostname', async () => {
    const source = join(work, 'source.img');
    const w = await iios(['write', '--profile', 'appliance', '--bundle', bundle, '--target', source, '--size', '2G', '--name', 'teacher', '--yes']);
    expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    await withBtrfs(source, 'iios-data', (mnt) => writeFile(join(mnt, '@state/boot-count'), '5\n'), { readOnly: false });
    const clone = join(work, 'clone.img');
    const c = await iios(['clone', source, '--target', clone, '--size', '2G', '--name', 'class-21', '--yes'], { timeoutMs: 600_000 });
    expect(c.exitCode, c.stdout + c.stderr).toBe(0);
    const r = await bootUntilReady({ disk: clone, uefi: true, timeoutMs: 300_000 });
    await writeFile(join(logDir, 'clone.serial.log'), r.serial);
    expect(r.ready, r.serial.slice(-3000)).toEqual({ slot: 'a', mode: 'ab', verity: 'ok', boots: '1', hostname: 'class-21', version: expect.any(String) });
  }, 900_000);

  it('kiosk clone (profile and manifest read from the ESP, payload copied): slot A with verity, boots=1, its own hostname, the payload', async () => {
    const source = join(work, 'kiosk-source.img');
    const page = join(work, 'piece.html');
    await writeFile(page, '<h1>lobby</h1>\n');
    const w = await iios(['write', '--profile', 'kiosk', '--bundle', bundle, '--target', source, '--size', '2G', '--name', 'lobby', '--payload', page, '--yes']);
    expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    await withBtrfs(source, 'iios-data', (mnt) => writeFile(join(mnt, '@state/boot-count'), '5\n'), { readOnly: false });
    const clone = join(work, 'kiosk-clone.img');
    // onto a larger stick: the data partition grows, the slot and the payload are copied as they are
    const c = await iios(['clone', source, '--target', clone, '--size', '3G', '--name', 'lobby-21', '--yes'], { timeoutMs: 600_000 });
    expect(c.exitCode, c.stdout + c.stderr).toBe(0);
    const r = await bootUntilReady({ disk: clone, uefi: true, timeoutMs: 300_000 });
    await writeFile(join(logDir, 'kiosk-clone.serial.log'), r.serial);
    expect(r.ready, r.serial.slice(-3000)).toMatchObject({ slot: 'a', mode: 'ab', verity: 'ok', boots: '1', hostname: 'lobby-21' });
    expect(r.serial).toMatch(/payload files: piece\.html \r?\n/);
  }, 900_000);

  it('classroom clone (writable system): its own hostname, boots=1, then boots=2 keeping what boot 1 wrote; the source\'s @home file kept', async () => {
    const source = join(work, 'classroom-source.img');
    const w = await iios(['write', '--profile', 'classroom', '--bundle', bundle, '--target', source, '--size', '2G', '--name', 'teacher', '--yes']);
    expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    await withBtrfs(
      source,
      'iios-system',
      async (mnt) => {
        await mkdir(join(mnt, '@/var/lib/iios'), { recursive: true });
        await writeFile(join(mnt, '@/var/lib/iios/boot-count'), '5\n');
        await mkdir(join(mnt, '@home/pupil'), { recursive: true });
        await writeFile(join(mnt, '@home/pupil/essay.txt'), 'my essay\n');
      },
      { readOnly: false },
    );
    const clone = join(work, 'classroom-clone.img');
    const c = await iios(['clone', source, '--target', clone, '--size', '2G', '--name', 'class-22', '--yes'], { timeoutMs: 600_000 });
    expect(c.exitCode, c.stdout + c.stderr).toBe(0);
    await rm(source, { force: true });

    const first = await bootUntilReady({ disk: clone, uefi: true, timeoutMs: 300_000 });
    await writeFile(join(logDir, 'classroom-clone-1.serial.log'), first.serial);
    expect(first.ready, first.serial.slice(-3000)).toEqual({ slot: 'system', mode: 'writable', verity: 'off', boots: '1', hostname: 'class-22', version: expect.any(String) });
    // boot 2 counts on from the file boot 1 wrote into the clone's writable @
    const second = await bootUntilReady({ disk: clone, uefi: true, timeoutMs: 300_000 });
    await writeFile(join(logDir, 'classroom-clone-2.serial.log'), second.serial);
    expect(second.ready, second.serial.slice(-3000)).toMatchObject({ slot: 'system', mode: 'writable', boots: '2', hostname: 'class-22' });
    const after = await withBtrfs(clone, 'iios-system', async (mnt) => ({
      count: (await readFile(join(mnt, '@/var/lib/iios/boot-count'), 'utf8')).trim(),
      log: await readFile(join(mnt, '@/var/log/iios-boots.log'), 'utf8'),
      essay: await readFile(join(mnt, '@home/pupil/essay.txt'), 'utf8'),
    }));
    expect(after).toEqual({ count: '2', log: 'boot 1 slot=system mode=writable\nboot 2 slot=system mode=writable\n', essay: 'my essay\n' });
  }, 1_200_000);
});
