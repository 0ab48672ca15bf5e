// Drive labels and USB ports, over by-path names as udev's path_id writes them.
import { describe, expect, it } from 'vitest';
import type { Drive } from '../../src-shared/contract/index.ts';
import { driveLabel } from '../../src-shared/drives/drive-label.ts';
import { spreadOverRootHubs, usbPortOf } from '../../src-shared/drives/usb-port.ts';

const XHCI = '/dev/disk/by-path/pci-0000:00:14.0-usb-0:1.4:1.0-scsi-0:0:0:0';

describe('USB port from the by-path name', () => {
  it.each([
    [XHCI, { root: 'pci-0000:00:14.0', chain: '1.4' }],
    ['/dev/disk/by-path/pci-0000:00:14.0-usbv3-0:2:1.0-scsi-0:0:0:0', null],
    ['/dev/disk/by-path/pci-0000:03:00.0-usb-0:3:1.0-scsi-0:0:0:1', { root: 'pci-0000:03:00.0', chain: '3' }],
    ['/dev/disk/by-path/platform-xhci-hcd.0.auto-usb-0:1.2.3:1.0-scsi-0:0:0:0', { root: 'platform-xhci-hcd.0.auto', chain: '1.2.3' }],
    ['/dev/disk/by-path/pci-0000:00:1f.2-ata-1', null],
    [null, null],
  ])('%s', (path, expected) => {
    const port = usbPortOf(path);
    expect(port ? { root: port.root, chain: port.chain } : null).toEqual(expected);
  });

  it('spreads targets over root hubs, round-robin', () => {
    const items = ['a1', 'a2', 'a3', 'b1', 'b2'];
    const root = (s: string) => ({ root: s[0]!, chain: s[1]!, key: s });
    expect(spreadOverRootHubs(items, root)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3']);
  });
});

describe('drive labels', () => {
  const base = { id: '/dev/sdb', device: '/dev/sdb', description: 'Generic Flash Disk', sizeBytes: 16e9, vendor: 'SanDisk', model: 'Cruzer Blade', serial: '4C530001230719116332', devicePath: XHCI } as Drive;
  it('says vendor, model, size and what tells it apart', () => {
    expect(driveLabel(base)).toBe('SanDisk Cruzer Blade, 16.0 GB (port 1.4 · serial …116332)');
    expect(driveLabel(base, { 'pci-0000:00:14.0/1.4': 'hub A, left' })).toBe('SanDisk Cruzer Blade, 16.0 GB (hub A, left · serial …116332)');
  });
  it('falls back to the description and the device', () => {
    expect(driveLabel({ ...base, vendor: null, model: null, serial: null, devicePath: null })).toBe('Generic Flash Disk, 16.0 GB (/dev/sdb)');
  });
});
