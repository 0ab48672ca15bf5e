import { describe, expect, it } from 'vitest';
import { parseMountinfo } from '../../src-shared/drives/mountinfo.ts';

// Lines as Linux writes them (proc(5)): optional fields, a btrfs subvolume, /dev/root, escaped spaces.
const TEXT = [
  '22 1 0:21 / /proc rw,relatime - proc proc rw',
  '1 0 254:0 / / rw,relatime - ext4 /dev/root rw',
  '36 1 0:35 /@home /home rw,relatime shared:5 master:1 - btrfs /dev/sdb2 rw,space_cache=v2,subvolid=257',
  '40 36 7:3 / /home/me/USB\\040stick rw,nosuid - vfat /dev/loop3 rw',
  '41 1 0:40 / /run/user tmpfs-without-separator',
  '',
].join('\n');

describe('parseMountinfo', () => {
  const m = parseMountinfo(TEXT);

  it('reads each mount by its id: device number, shown folder, mount point, type and source', () => {
    expect(m.get(36)).toEqual({ id: 36, parentId: 1, devNumber: '0:35', root: '/@home', mountPoint: '/home', fsType: 'btrfs', source: '/dev/sdb2' });
    expect(m.get(1)).toMatchObject({ devNumber: '254:0', source: '/dev/root', mountPoint: '/' });
  });

  it('undoes the kernel\'s octal escapes in paths', () => {
    expect(m.get(40)?.mountPoint).toBe('/home/me/USB stick');
  });

  it('leaves out lines without the " - " separator', () => {
    expect(m.has(41)).toBe(false);
    expect(m.size).toBe(4);
  });
});

describe('deviceOfMount', () => {
  it('names /dev/root by its device number, as findmnt does; keeps a source it cannot place', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { deviceOfMount } = await import('../../helpers/mount-source.ts');
    const sys = mkdtempSync(join(tmpdir(), 'iios-mountinfo-sys-'));
    try {
      mkdirSync(join(sys, 'dev/block/254:0'), { recursive: true });
      writeFileSync(join(sys, 'dev/block/254:0/uevent'), 'MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n');
      const m = parseMountinfo(TEXT);
      expect(deviceOfMount(m.get(1)!, sys)).toBe('/dev/vda');
      // btrfs: an anonymous device number; the source is what names the disk
      expect(deviceOfMount(m.get(36)!, sys)).toBe('/dev/sdb2');
      expect(deviceOfMount(m.get(22)!, sys)).toBe('proc');
    } finally {
      rmSync(sys, { recursive: true, force: true });
    }
  });
});
