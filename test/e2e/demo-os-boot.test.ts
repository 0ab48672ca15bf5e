// Boots the demo OS bundle's kernel and initramfs in QEMU (TCG, direct -kernel/-initrd) against stick images
// assembled like the writer lays them out, and checks the one-line verdict on the serial console plus what the
// boot left on the disk (boot counter, blessed entry). Six boots in all (one through OVMF and systemd-boot), 15-30 s each under TCG.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootUntilReady, type BootResult } from '../../src-main/services/stick/qemu-boot.ts';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { appRoot } from '../../src-main/services/app/app-info.ts';
import { espEntries, flipByte, makeAbDisk, makeWritableDisk, readFromBtrfs, type BundleFiles } from './demo-os-disk.ts';

interface Manifest {
  kernel: string;
  initrd: string;
  bootloader: string;
  cmdline: string;
  version: string;
  rootfs: { file: string; sizeBytes: number };
  verity: { hashFile: string; rootHash: string };
}

const isRoot = process.getuid?.() === 0;
const BOOT_TIMEOUT_MS = 120_000;

describe.skipIf(!isRoot)('demo OS boots in QEMU', () => {
  let bundleDir = '';
  let manifest: Manifest;
  let bundle: BundleFiles;
  let work = '';
  const logDir = join(appRoot(), 'test-artifacts', 'demo-os-boot');

  beforeAll(async () => {
    bundleDir = await ensureDemoBundle();
    manifest = JSON.parse(await readFile(join(bundleDir, 'manifest.json'), 'utf8')) as Manifest;
    bundle = { dir: bundleDir, rootfs: manifest.rootfs.file, hashFile: manifest.verity.hashFile, rootHash: manifest.verity.rootHash };
    work = await mkdtemp(join(tmpdir(), 'iios-demo-boot-'));
    await mkdir(logDir, { recursive: true });
  });

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** The boot entry's options line as the writer composes it (design.md, "On-stick format"), plus the self-test switch. */
  function abAppend(slot: 'a' | 'b', rootHash: string): string {
    return [
      manifest.cmdline,
      'iios.mode=ab',
      `iios.slot=${slot}`,
      `iios.roothash=${rootHash}`,
      `iios.root=PARTLABEL=iios-root-${slot}`,
      `iios.verity=PARTLABEL=iios-verity-${slot}`,
      'iios.data=PARTLABEL=iios-data',
      'iios.selftest=poweroff',
    ].join(' ');
  }

  async function boot(name: string, disk: string, append: string): Promise<BootResult> {
    const result = await bootUntilReady({
      disk,
      kernel: join(bundleDir, manifest.kernel),
      initrd: join(bundleDir, manifest.initrd),
      append,
      timeoutMs: BOOT_TIMEOUT_MS,
    });
    await writeFile(join(logDir, `${name}.log`), result.serial);
    console.log(`demo-os boot ${name}: ${(result.elapsedMs / 1000).toFixed(1)} s -> ${result.readyLine ?? result.failLine ?? 'no verdict'}`);
    return result;
  }

  it('A/B: slot a boots verified, named from the stamp, counts 1 then 2, blesses its entry', async () => {
    const disk = await makeAbDisk(join(work, 'ab.img'), bundle, {
      hostname: 'class-07',
      profile: 'appliance',
      slots: { a: { rootHash: bundle.rootHash }, b: { rootHash: bundle.rootHash } },
      entries: ['iios-a+3.conf', 'iios-b+3.conf'],
    });

    const first = await boot('ab-1', disk.path, abAppend('a', bundle.rootHash));
    expect(first.failLine).toBeNull();
    expect(first.readyLine).toBe(`IIOS-READY slot=a mode=ab verity=ok boots=1 hostname=class-07 version=${manifest.version}`);
    expect(first.timedOut).toBe(false); // powered itself off after the line
    expect(first.serial).toContain('iios: mounts: /(overlay,rw) /home(btrfs,rw)');
    expect(await espEntries(disk)).toEqual(['iios-a.conf', 'iios-b+3.conf']);

    const second = await boot('ab-2', disk.path, abAppend('a', bundle.rootHash));
    expect(second.ready).toEqual({ slot: 'a', mode: 'ab', verity: 'ok', boots: '2', hostname: 'class-07', version: expect.any(String) });
    expect((await readFromBtrfs(disk, 'iios-data', '@state/boot-count'))?.trim()).toBe('2');
    // writes to / land in the overlay's upper in @state/a and survive the reboot
    const bootLog = await readFromBtrfs(disk, 'iios-data', '@state/a/upper/var/log/iios-boots.log');
    expect(bootLog?.trim().split('\n')).toEqual(['boot 1 slot=a mode=ab', 'boot 2 slot=a mode=ab']);
  });

  it('kiosk: a root with one flipped byte is refused, slot b boots with the hash from the stamp, payload at /payload', async () => {
    const disk = await makeAbDisk(
      join(work, 'fallback.img'),
      bundle,
      {
        hostname: 'kiosk-3',
        profile: 'kiosk',
        slots: { a: { rootHash: bundle.rootHash }, b: { rootHash: bundle.rootHash } },
        entries: ['iios-a+3.conf', 'iios-b+3.conf'],
      },
      { 'index.html': '<h1>iios kiosk</h1>\n', 'app.json': '{}\n' },
    );
    await flipByte(disk, 'iios-root-a', Math.floor(manifest.rootfs.sizeBytes / 2));

    const result = await boot('fallback', disk.path, `${abAppend('a', bundle.rootHash)} iios.payload=PARTLABEL=iios-payload`);
    expect(result.serial).toContain('slot a refused: verity-mismatch');
    // ext4 adds lost+found to the two payload files
    expect(result.serial).toMatch(/payload \/dev\/vda\d+ mounted read-only at \/payload \(3 entries\)/);
    expect(result.serial).toContain('/payload(ext4,ro)');
    expect(result.readyLine).toBe(`IIOS-READY slot=b mode=ab verity=ok boots=1 hostname=kiosk-3 version=${manifest.version}`);
    // the slot that really runs is blessed; the one that failed verity has its tries spent (+0): marked bad, as
    // `iios inspect` then says, and never tried again before an update rewrites it
    expect(await espEntries(disk)).toEqual(['iios-a+0.conf', 'iios-b.conf']);
  });

  it('A/B: with both roots damaged the boot stops at IIOS-FAIL and mounts nothing', async () => {
    const disk = await makeAbDisk(join(work, 'fail.img'), bundle, {
      hostname: 'kiosk-4',
      profile: 'kiosk',
      slots: { a: { rootHash: bundle.rootHash }, b: { rootHash: bundle.rootHash } },
      entries: ['iios-a+3.conf', 'iios-b+3.conf'],
    });
    await flipByte(disk, 'iios-root-a', 4096 + 17);
    await flipByte(disk, 'iios-root-b', manifest.rootfs.sizeBytes - 100);

    const result = await boot('fail', disk.path, abAppend('a', bundle.rootHash));
    expect(result.readyLine).toBeNull();
    expect(result.failLine).toBe('IIOS-FAIL slot=a reason=verity-mismatch');
    expect(result.serial).toContain('slot b refused too: verity-mismatch');
    expect(result.timedOut).toBe(false);
    expect(await espEntries(disk)).toEqual(['iios-a+3.conf', 'iios-b+3.conf']);
    expect(await readFromBtrfs(disk, 'iios-data', '@state/boot-count')).toBeNull();
  });

  it('UEFI: OVMF starts the bundle\'s systemd-boot, which boots slot a; the counted-down entry gets blessed', async () => {
    const disk = await makeAbDisk(join(work, 'uefi.img'), bundle, {
      hostname: 'uefi-01',
      profile: 'appliance',
      slots: { a: { rootHash: bundle.rootHash }, b: { rootHash: bundle.rootHash } },
      entries: [],
      bootable: {
        bundle: { ...bundle, kernel: manifest.kernel, initrd: manifest.initrd, bootloader: manifest.bootloader },
        slot: 'a',
        options: abAppend('a', bundle.rootHash),
      },
    });
    const result = await bootUntilReady({ disk: disk.path, uefi: true, timeoutMs: BOOT_TIMEOUT_MS });
    await writeFile(join(logDir, 'uefi.log'), result.serial);
    console.log(`demo-os boot uefi: ${(result.elapsedMs / 1000).toFixed(1)} s -> ${result.readyLine ?? result.failLine ?? result.deadEnd ?? 'no verdict'}`);
    expect(result.readyLine).toBe(`IIOS-READY slot=a mode=ab verity=ok boots=1 hostname=uefi-01 version=${manifest.version}`);
    // systemd-boot renamed iios-a+3.conf to iios-a+2-1.conf before starting it; the OS blessed that
    expect(result.serial).toContain('blessed boot entry iios-a+2-1.conf -> iios-a.conf');
    expect(await espEntries(disk)).toEqual(['iios-a.conf']);
  });

  it('writable: subvolume @ of iios-system boots read-write and keeps its counter inside @', async () => {
    const disk = await makeWritableDisk(join(work, 'writable.img'), bundle, {
      hostname: 'class-22',
      profile: 'classroom',
      slots: { system: {} },
      entries: ['iios-system+3.conf'],
    });
    const append = [manifest.cmdline, 'iios.mode=writable', 'iios.slot=system', 'iios.root=PARTLABEL=iios-system', 'iios.selftest=poweroff'].join(' ');

    const result = await boot('writable', disk.path, append);
    expect(result.failLine).toBeNull();
    expect(result.readyLine).toBe(`IIOS-READY slot=system mode=writable verity=off boots=1 hostname=class-22 version=${manifest.version}`);
    expect(result.serial).toContain('iios: mounts: /(btrfs,rw) /home(btrfs,rw)');
    expect((await readFromBtrfs(disk, 'iios-system', '@/var/lib/iios/boot-count'))?.trim()).toBe('1');
    expect(await espEntries(disk)).toEqual(['iios-system.conf']);
  });
});
