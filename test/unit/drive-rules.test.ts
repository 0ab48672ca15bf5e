// Drive discovery parsing and the UI's drive rules, as tables over output captured on a VM with three
// loop devices attached (plain, GPT-partitioned, read-only + mounted) and a zram swap device.
import { describe, expect, it } from 'vitest';
import type { Drive } from '../../src-shared/contract/index.ts';
import {
  buildDriveList,
  isIgnoredDevice,
  parseLosetup,
  parseLsblk,
  systemDevices,
  type DrivelistEntry,
} from '../../src-shared/drives/inventory.ts';
import {
  driveIssues,
  isDriveSelectable,
  LARGE_DRIVE_BYTES,
  notSelectableReason,
  type DriveRuleOptions,
} from '../../src-shared/drives/drive-rules.ts';
import { readFixture } from './fixtures/read-fixture.ts';

const lsblk = parseLsblk(readFixture<string>('drives/vm-loops.lsblk.json'));
const loops = parseLosetup(readFixture('drives/vm-loops.losetup.json'));
const entries = readFixture<DrivelistEntry[]>('drives/vm-loops.drivelist.json');
const drives = buildDriveList(entries, lsblk, loops);
const byDevice = (dev: string): Drive => {
  const d = drives.find((x) => x.device === dev);
  if (!d) throw new Error(`${dev} not in the list`);
  return d;
};

describe('drive list from captured lsblk + drivelist + losetup output', () => {
  it('lists the disk and the attached loops, leaves zram out, sorted numerically', () => {
    expect(drives.map((d) => d.device)).toEqual(['/dev/loop1', '/dev/loop2', '/dev/loop3', '/dev/vda']);
    // drivelist saw zram0 (and not the loops); lsblk saw them all.
    expect(entries.map((e) => e.device)).toEqual(['/dev/zram0', '/dev/vda']);
  });

  it.each([
    // device, sizeBytes, system, virtual, readOnly, mountpoints, backingFile
    ['/dev/vda', 274877906944, true, false, false, ['/'], null],
    ['/dev/loop1', 67108864, false, true, false, [], '/tmp/fx/plain.img'],
    ['/dev/loop2', 134217728, false, true, false, [], '/tmp/fx/gpt.img'],
    ['/dev/loop3', 33554432, false, true, true, ['/tmp/fx/mnt'], '/tmp/fx/ext.img'],
  ])('%s: %d bytes, system=%s virtual=%s ro=%s mounts=%j file=%s', (dev, size, system, virtual, ro, mounts, file) => {
    const d = byDevice(dev);
    expect(d.sizeBytes).toBe(size);
    expect(d.system).toBe(system);
    expect(d.virtual).toBe(virtual);
    expect(d.readOnly).toBe(ro);
    expect(d.mountpoints.map((m) => m.path)).toEqual(mounts);
    expect(d.backingFile).toBe(file);
  });

  it('names drives usefully: a virtio disk, loops by their file', () => {
    expect(byDevice('/dev/vda').description).toBe('Virtio disk');
    expect(byDevice('/dev/loop1').description).toBe('Loop device (plain.img)');
    expect(byDevice('/dev/loop1').busType).toBe('LOOP');
    expect(byDevice('/dev/vda').logicalBlockSize).toBe(512);
    expect(byDevice('/dev/vda').physicalBlockSize).toBe(4096);
  });

  it('finds the system disk from mount points, even when drivelist would not', () => {
    expect([...systemDevices(lsblk)]).toEqual(['/dev/vda']);
    const notFlagged = entries.map((e) => ({ ...e, isSystem: false }));
    expect(buildDriveList(notFlagged, lsblk, loops).find((d) => d.device === '/dev/vda')?.system).toBe(true);
    // …and a loop holding / (a live system) is a system drive too.
    const liveLsblk = lsblk.map((d) => (d.name === '/dev/loop2' ? { ...d, mountpoints: ['/'] } : d));
    expect(buildDriveList(entries, liveLsblk, loops).find((d) => d.device === '/dev/loop2')?.system).toBe(true);
  });

  it.each([
    ['/dev/zram0', 0, true],
    ['/dev/zram1', 8e9, true],
    ['/dev/sr0', 7e8, true],
    ['/dev/ram0', 1e6, true],
    ['/dev/loop9', 0, true],
    ['/dev/sdb', 16e9, false],
    ['/dev/loop9', 1e6, false],
  ])('ignores %s of %d bytes: %s', (dev, size, ignored) => {
    expect(isIgnoredDevice(dev, size)).toBe(ignored);
  });

  it('reads losetup with no loops and with a deleted backing file', () => {
    expect(parseLosetup('').size).toBe(0);
    const m = parseLosetup({ loopdevices: [{ name: '/dev/loop0', 'back-file': '/tmp/x.img (deleted)' }] });
    expect(m.get('/dev/loop0')).toBe('/tmp/x.img');
  });
});

describe('drive rules', () => {
  const vda = byDevice('/dev/vda');
  const loop1 = byDevice('/dev/loop1');
  const loop3 = byDevice('/dev/loop3');
  const usbStick: Drive = { ...loop1, id: '/dev/sdb', device: '/dev/sdb', virtual: false, usb: true, busType: 'USB', backingFile: null, sizeBytes: 16e9 };

  it.each<[string, Drive, DriveRuleOptions, string[], boolean]>([
    ['system disk', vda, {}, ['system', 'mounted', 'large'], false],
    ['plain loop', loop1, {}, ['virtual'], true],
    ['read-only mounted loop', loop3, {}, ['read-only', 'mounted', 'virtual'], false],
    ['mounted loop, no unmounting allowed', { ...loop3, readOnly: false }, { unmountAllowed: false }, ['mounted', 'virtual'], false],
    ['mounted loop, unmounting allowed', { ...loop3, readOnly: false }, { unmountAllowed: true }, ['mounted', 'virtual'], true],
    ['too small for the image', loop1, { requiredBytes: 128 * 2 ** 20 }, ['too-small', 'virtual'], false],
    ['exactly big enough', loop1, { requiredBytes: 64 * 2 ** 20 }, ['virtual'], true],
    ['USB stick', usbStick, { requiredBytes: 8e9 }, [], true],
    ['USB stick holding the source', usbStick, { sourceDevices: ['/dev/sdb'] }, ['source'], false],
    ['USB stick above a lowered large limit', usbStick, { largeBytes: 8e9 }, ['large'], true],
  ])('%s', (_name, drive, opts, codes, selectable) => {
    expect(driveIssues(drive, opts).map((i) => i.code)).toEqual(codes);
    expect(isDriveSelectable(drive, opts)).toBe(selectable);
    expect(notSelectableReason(drive, opts) === null).toBe(selectable);
  });

  it('orders blocking issues first and explains the system disk', () => {
    const issues = driveIssues(vda);
    expect(issues[0]).toMatchObject({ code: 'system', blocking: true });
    expect(notSelectableReason(vda)).toMatch(/System drive/);
    expect(issues.find((i) => i.code === 'mounted')?.message).toBe('Mounted at /: it will be unmounted');
  });

  it('uses a 128 GB large-drive limit and the shared decimal sizes (src-shared/format/bytes.ts)', () => {
    expect(LARGE_DRIVE_BYTES).toBe(128e9);
  });
});
