// The helper's pure pieces against the on-stick contract (design.md, "On-stick format"): ESP text files, stamp layout,
// FAT32 cluster choice, sgdisk -i parsing (captured output).
import { describe, expect, it } from 'vitest';
import { bootEntry, entryFileName, loaderConf } from '../../helpers/steps/boot-entries.ts';
import { fat32SectorsPerCluster } from '../../helpers/steps/esp.ts';
import { stampObject, stampText } from '../../helpers/steps/stamp.ts';
import { parsePartitionInfo } from '../../helpers/tools/sgdisk.ts';
import type { BundleManifest } from '../../src-shared/profile/bundle-manifest.ts';

const hash = 'c99b6d7e7a3956f3a45d7ed9c1268593072e05ee63e4a38136285fb477b09845';
const manifest = {
  name: 'iios-demo',
  version: '2026.11.1',
  cmdline: 'console=ttyS0,115200 quiet',
  verity: { rootHash: hash },
} as unknown as BundleManifest;

describe('ESP text files', () => {
  it.each([
    [false, 'default iios-a*\ntimeout 0\nconsole-mode keep\neditor no\n'],
    [true, 'default iios-system*\ntimeout 0\nconsole-mode keep\neditor no\n'],
  ])('loader.conf (writable %s)', (writable, text) => expect(loaderConf(writable)).toBe(text));

  it.each([
    ['a', 'iios-a+3.conf'],
    ['b', 'iios-b+3.conf'],
    ['system', 'iios-system+3.conf'],
  ] as const)('entry file of slot %s counts three boots', (slot, name) => expect(entryFileName(slot)).toBe(name));

  it('slot b entry, word for word', () => {
    expect(bootEntry(manifest, 'b', { kiosk: false })).toBe(
      [
        'title iios iios-demo 2026.11.1 (slot b)',
        'version 2026.11.1',
        'sort-key iios-b',
        'linux /iios/b/vmlinuz',
        'initrd /iios/b/initrd.img',
        `options console=ttyS0,115200 quiet iios.mode=ab iios.slot=b iios.roothash=${hash} iios.root=PARTLABEL=iios-root-b iios.verity=PARTLABEL=iios-verity-b iios.data=PARTLABEL=iios-data`,
        '',
      ].join('\n'),
    );
  });

  it('kiosk adds the payload partition; writable has no verity', () => {
    expect(bootEntry(manifest, 'a', { kiosk: true })).toMatch(/iios\.data=PARTLABEL=iios-data iios\.payload=PARTLABEL=iios-payload\n$/);
    expect(bootEntry(manifest, 'system', { kiosk: false })).toContain(
      'options console=ttyS0,115200 quiet iios.mode=writable iios.slot=system iios.root=PARTLABEL=iios-system\n',
    );
  });

  it('refuses an A/B entry for a bundle without verity', () => {
    expect(() => bootEntry({ ...manifest, verity: null }, 'a', { kiosk: false })).toThrow(/no verity/);
  });
});

describe('stamp', () => {
  const init = { profile: 'appliance', hostname: 'class-07', diskBytes: 8e9, sectorSize: 512, slots: {}, payload: [], caches: [], espFiles: {} };
  it('puts format, complete and hostname first, the hostname on its own line', () => {
    const text = stampText(stampObject(init, false, '2026-11-23T18:00:00.000Z'));
    expect(text.split('\n').slice(0, 4)).toEqual(['{', '  "format": 1,', '  "complete": false,', '  "hostname": "class-07",']);
    expect(JSON.parse(text)).toMatchObject({ tool: { name: 'iios', version: '0.1.0' }, caches: [], createdAt: '2026-11-23T18:00:00.000Z' });
  });
});

describe('FAT32 cluster size', () => {
  it.each([
    [512 * 1024 * 1024, 512, 8],
    [256 * 1024 * 1024, 512, 4],
    [128 * 1024 * 1024, 512, 2],
    [64 * 1024 * 1024, 512, 1],
    [512 * 1024 * 1024, 4096, 1],
  ])('%d bytes at %d-byte sectors → %d sectors per cluster', (bytes, sector, spc) => {
    expect(fat32SectorsPerCluster(bytes, sector)).toBe(spc);
    // FAT32 needs at least 65525 clusters.
    expect(bytes / (sector * spc)).toBeGreaterThan(65525);
  });
});

describe('sgdisk -i parsing (captured output)', () => {
  const captured = `Partition GUID code: 2C7357ED-EBD2-46D9-AEC1-23D437EC2BF5 (Linux x86-64 root verity)
Partition unique GUID: F58D5748-2BB4-4125-ACF6-A18D88E114ED
First sector: 18432 (at 9.0 MiB)
Last sector: 34815 (at 17.0 MiB)
Partition size: 16384 sectors (8.0 MiB)
Attribute flags: 1000000000000000
Partition name: 'iios-verity-a'
`;
  it('reads type, range, attributes and name', () => {
    expect(parsePartitionInfo(captured)).toEqual({
      typeGuid: '2c7357ed-ebd2-46d9-aec1-23d437ec2bf5',
      uniqueGuid: 'f58d5748-2bb4-4125-acf6-a18d88e114ed',
      firstLba: 18432,
      lastLba: 34815,
      attributes: 1n << 60n,
      name: 'iios-verity-a',
    });
  });
  it('says null for an empty slot', () => {
    expect(parsePartitionInfo('Partition #7 does not exist.\n')).toBeNull();
  });
});
