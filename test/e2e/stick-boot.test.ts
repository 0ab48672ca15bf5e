// Sticks written by `iios write` (image files) booted for real: OVMF → systemd-boot from the ESP → the
// demo OS kernel and initramfs, QEMU with -accel tcg. Nine boots in all, each 20–90 s under TCG on a busy host:
// appliance counts boots 1 → 2 and blesses its entry; classroom keeps in boot 2 what boot 1 wrote (and what
// the host put in between), and its reset entries take it back to the factory snapshot (home kept, then
// emptied); one flipped byte in slot A falls back to B, `iios repair` makes A boot again with @home kept; with
// both slots broken it fails clearly.
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../src-main/services/app/app-info.ts';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { bootUntilReady, type BootResult } from '../../src-main/services/stick/qemu-boot.ts';
import { iios } from '../support/iios-cli.ts';
import { espDir, gptParts, readStamp, withBtrfs } from '../support/written-stick.ts';

const isRoot = process.getuid?.() === 0;
const BOOT_TIMEOUT_MS = 300_000;
const logDir = join(appRoot(), 'test-artifacts', 'stick-boot');

describe.skipIf(!isRoot)('sticks written by iios boot through OVMF and systemd-boot', () => {
  let bundle = '';
  let work = '';

  beforeAll(async () => {
    bundle = await ensureDemoBundle();
    work = await mkdtemp(join(tmpdir(), 'iios-stick-boot-'));
    await mkdir(logDir, { recursive: true });
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function write(profile: string, name: string): Promise<string> {
    const img = join(work, `${name}.img`);
    const r = await iios(['write', '--profile', profile, '--bundle', bundle, '--target', img, '--size', '2G', '--name', 'class-{nn}', '--yes']);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    return img;
  }

  async function boot(disk: string, label: string): Promise<BootResult> {
    const r = await bootUntilReady({ disk, uefi: true, timeoutMs: BOOT_TIMEOUT_MS });
    await writeFile(join(logDir, `${label}.serial.log`), r.serial);
    return r;
  }

  /** Makes `entry` systemd-boot's default by rewriting loader.conf on the ESP (what choosing it in the menu does once). */
  async function setDefaultEntry(disk: string, entry: string): Promise<void> {
    expect(await espDir(disk, '/loader/entries')).toContain(`/loader/entries/${entry}`);
    const esp = (await gptParts(disk)).find((p) => p.name === 'IIOS-ESP')!;
    const conf = join(work, 'loader.conf');
    await writeFile(conf, `default ${entry}\ntimeout 0\nconsole-mode keep\neditor no\n`);
    await execa('mcopy', ['-o', '-i', `${disk}@@${esp.start}`, conf, '::/loader/loader.conf'], { env: { MTOOLS_SKIP_CHECK: '1' } });
  }

  /** XORs one byte in the middle of slot `slot`'s root image (inside the bytes verity covers). */
  async function flipByteInSlot(disk: string, slot: 'a' | 'b'): Promise<void> {
    const part = (await gptParts(disk)).find((p) => p.name === `iios-root-${slot}`)!;
    const bytes = (await readStamp(disk)).slots[slot] as { rootfsBytes: number };
    const at = part.start + Math.floor(bytes.rootfsBytes / 2);
    const fh = await open(disk, 'r+');
    try {
      const b = Buffer.alloc(1);
      await fh.read(b, 0, 1, at);
      b[0] = b[0]! ^ 0x5a;
      await fh.write(b, 0, 1, at);
    } finally {
      await fh.close();
    }
  }

  it('appliance boots slot A, counts boots 1 → 2 and blesses its boot entry', async () => {
    const img = await write('appliance', 'appliance');
    expect(await espDir(img, '/loader/entries')).toEqual(expect.arrayContaining(['/loader/entries/iios-a+3.conf', '/loader/entries/iios-b+3.conf']));

    const first = await boot(img, 'appliance-1');
    expect(first.ready, first.serial.slice(-3000)).toEqual({ slot: 'a', mode: 'ab', verity: 'ok', boots: '1', hostname: 'class-01', version: expect.any(String) });
    const entries = await espDir(img, '/loader/entries');
    expect(entries).toContain('/loader/entries/iios-a.conf');
    expect(entries.some((e) => e.startsWith('/loader/entries/iios-a+'))).toBe(false);
    expect(entries.some((e) => e.startsWith('/loader/entries/iios-b+'))).toBe(true);

    const second = await boot(img, 'appliance-2');
    expect(second.ready, second.serial.slice(-3000)).toMatchObject({ slot: 'a', verity: 'ok', boots: '2', hostname: 'class-01' });
    // the counter lives in the data partition's @state, and the write was still complete after two boots
    expect(await withBtrfs(img, 'iios-data', async (mnt) => (await readFile(join(mnt, '@state/boot-count'), 'utf8')).trim())).toBe('2');
    expect((await iios(['verify', img])).stdout).toMatch(/slot A verity: root hash .* verified/);
  });

  it('classroom keeps what one boot wrote (and a file put there from the host) for the next boot; its reset entries go back to the factory snapshot', async () => {
    const img = await write('classroom', 'classroom');
    const first = await boot(img, 'classroom-1');
    expect(first.ready, first.serial.slice(-3000)).toEqual({ slot: 'system', mode: 'writable', verity: 'off', boots: '1', hostname: 'class-01', version: expect.any(String) });

    // between boots, on the host: the system Btrfs @ holds what boot 1 wrote; put a teacher's file next to it
    await withBtrfs(
      img,
      'iios-system',
      async (mnt) => {
        expect((await readFile(join(mnt, 'var/lib/iios/boot-count'), 'utf8')).trim()).toBe('1');
        await mkdir(join(mnt, 'home/teacher'), { recursive: true });
        await writeFile(join(mnt, 'home/teacher/lesson.txt'), 'fractions, page 12\n');
      },
      { readOnly: false, subvol: '@' },
    );

    const second = await boot(img, 'classroom-2');
    expect(second.ready, second.serial.slice(-3000)).toMatchObject({ slot: 'system', mode: 'writable', boots: '2' });
    const after = await withBtrfs(
      img,
      'iios-system',
      async (mnt) => ({
        count: (await readFile(join(mnt, 'var/lib/iios/boot-count'), 'utf8')).trim(),
        log: await readFile(join(mnt, 'var/log/iios-boots.log'), 'utf8'),
        lesson: await readFile(join(mnt, 'home/teacher/lesson.txt'), 'utf8'),
      }),
      { subvol: '@' },
    );
    expect(after).toEqual({ count: '2', log: 'boot 1 slot=system mode=writable\nboot 2 slot=system mode=writable\n', lesson: 'fractions, page 12\n' });

    // The boot menu's reset entries (shown when a key is held at power-on; here loader.conf makes each the
    // default in turn): the system goes back to its factory snapshot before it starts, @home kept, then emptied.
    await withBtrfs(img, 'iios-system', (mnt) => writeFile(join(mnt, 'homework.txt'), 'mine\n'), { readOnly: false, subvol: '@home' });
    const resetBoot = async (entry: string, label: string) => {
      await setDefaultEntry(img, entry);
      const r = await boot(img, label);
      expect(r.ready, r.serial.slice(-3000)).toMatchObject({ slot: 'system', mode: 'writable', boots: '1', hostname: 'class-01' });
      const state = await withBtrfs(
        img,
        'iios-system',
        async (mnt) => ({
          lesson: await readFile(join(mnt, '@/home/teacher/lesson.txt'), 'utf8').catch(() => null),
          log: await readFile(join(mnt, '@/var/log/iios-boots.log'), 'utf8'),
          homework: await readFile(join(mnt, '@home/homework.txt'), 'utf8').catch(() => null),
          factory: await readFile(join(mnt, '@snapshots/factory/var/log/iios-boots.log'), 'utf8').catch(() => null),
        }),
      );
      return { serial: r.serial, state };
    };
    const kept = await resetBoot('iios-reset-keep-home.conf', 'classroom-reset-keep-home');
    expect(kept.serial).toContain('reset to @snapshots/factory, @home kept');
    expect(kept.state).toEqual({ lesson: null, log: 'boot 1 slot=system mode=writable\n', homework: 'mine\n', factory: null });
    const emptied = await resetBoot('iios-reset.conf', 'classroom-reset');
    expect(emptied.serial).toContain('reset to @snapshots/factory, @home emptied');
    expect(emptied.state).toEqual({ lesson: null, log: 'boot 1 slot=system mode=writable\n', homework: null, factory: null });
  }, 1_500_000);

  it('one flipped byte in slot A: the boot falls back to slot B; iios repair brings slot A back with @home kept; with A and B broken it stops with IIOS-FAIL', async () => {
    const img = await write('appliance', 'fallback');
    await withBtrfs(
      img,
      'iios-data',
      async (mnt) => {
        await mkdir(join(mnt, '@home/pupil'), { recursive: true });
        await writeFile(join(mnt, '@home/pupil/notes.txt'), 'homework\n');
      },
      { readOnly: false },
    );
    await flipByteInSlot(img, 'a');
    const verify = await iios(['verify', img]);
    expect(verify.exitCode).toBe(1);
    expect(verify.stdout).toMatch(/FAIL\s+slot A sha256/);

    const fallback = await boot(img, 'fallback-b');
    expect(fallback.failLine).toBeNull();
    expect(fallback.ready, fallback.serial.slice(-3000)).toMatchObject({ slot: 'b', mode: 'ab', verity: 'ok', boots: '1' });

    // repaired from the bundle the stick carries (after the fallback boot marked slot A's entry bad): slot A is
    // the default again and boots with verity; the pupil's file in @home was not touched
    const repair = await iios(['repair', img, '--yes'], { timeoutMs: 600_000 });
    expect(repair.exitCode, repair.stdout + repair.stderr).toBe(0);
    const repaired = await boot(img, 'repaired-a');
    expect(repaired.failLine).toBeNull();
    expect(repaired.ready, repaired.serial.slice(-3000)).toMatchObject({ slot: 'a', mode: 'ab', verity: 'ok', hostname: 'class-01' });
    expect(await withBtrfs(img, 'iios-data', (mnt) => readFile(join(mnt, '@home/pupil/notes.txt'), 'utf8'))).toBe('homework\n');

    await flipByteInSlot(img, 'a');
    await flipByteInSlot(img, 'b');
    const broken = await boot(img, 'fallback-none');
    expect(broken.readyLine, broken.serial.slice(-3000)).toBeNull();
    expect(broken.failLine).toMatch(/^IIOS-FAIL slot=[ab] reason=\S+/);
  }, 1_200_000);
});
