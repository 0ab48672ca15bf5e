// planLayout against hand-computed layouts: every built-in profile at 4 GiB, 7.5 GiB, 16 GiB, 64 GiB,
// 2 TiB (and an "8 GB" stick of 8,000,000,000 bytes), with 512- and 4096-byte sectors.
//
// The fixed bundle: a 300,000,000-byte squashfs root whose verity hash file is 2,375,680 bytes.
// Worked out by hand (1 MiB = 1,048,576 bytes; every size rounds up to whole MiB):
//   root  "fit + 25%" = 375,000,000 B = 357.63 MiB -> 358 MiB;  verity "fit + 25%" = 2,969,600 B -> 3 MiB
//   root  "fit + 10%" = 330,000,000 B = 314.71 MiB -> 315 MiB;  verity "fit + 10%" = 2,613,248 B -> 3 MiB
//   classroom system minSize "fit + 300%" = 1,200,000,000 B = 1144.41 MiB -> 1145 MiB
//   appliance root slots prefer 1 GiB (preferredSize) where the stick allows: every size here does (the minimum
//   layout needs 2259 MiB, the preferred one 2 × (1024 - 358) + 2 × (9 - 3) = 1344 MiB more); each verity
//   partition then holds the hash tree of a full 1 GiB slot: 262,144 data blocks -> 2048 + 16 + 1 hash blocks
//   + the superblock = 2066 × 4096 = 8,462,336 B -> 9 MiB. The smallest stick keeps 358 MiB and 3 MiB.
// Partitions follow each other from 1 MiB. The growing partition ends on the last MiB boundary before the
// backup GPT (33 sectors = 16,896 B at 512; 5 sectors = 20,480 B at 4096): for a disk of a whole number of
// MiB that is disk - 1 MiB; for 8,000,000,000 B it is floor((8e9 - backup) / 1 MiB) = 7629 MiB.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planLayout, PlanError, TooSmallError, type BundleSizes } from '../../src-shared/layout/index.ts';
import { parseImageProfile, type ImageProfile } from '../../src-shared/profile/index.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const profile = (id: string): ImageProfile =>
  parseImageProfile(readFileSync(`resources/profiles/${id}.yaml`, 'utf8'), `resources/profiles/${id}.yaml`, id);
const bundle: BundleSizes = { rootfsKind: 'squashfs', rootfsBytes: 300_000_000, verityBytes: 2_375_680 };

const ESP = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';
const ROOT = '4f68bce3-e8cd-4db1-96e7-fbcaf984b709';
const VERITY = '2c7357ed-ebd2-46d9-aec1-23d437ec2bf5';
const DATA = '0fc63daf-8483-4772-8e79-3d69d8477de4';

/** [name, type, start MiB, size MiB or "rest"] */
type Row = [string, string, number, number | 'rest'];
const LAYOUTS: Record<string, Row[]> = {
  classroom: [
    ['IIOS-ESP', ESP, 1, 512],
    ['iios-system', ROOT, 513, 'rest'],
  ],
  appliance: [
    ['IIOS-ESP', ESP, 1, 512],
    ['iios-root-a', ROOT, 513, 1024],
    ['iios-verity-a', VERITY, 1537, 9],
    ['iios-root-b', ROOT, 1546, 1024],
    ['iios-verity-b', VERITY, 2570, 9],
    ['iios-data', DATA, 2579, 'rest'],
  ],
  kiosk: [
    ['IIOS-ESP', ESP, 1, 256],
    ['iios-root-a', ROOT, 257, 315],
    ['iios-verity-a', VERITY, 572, 3],
    ['iios-payload', DATA, 575, 32],
    ['iios-data', DATA, 607, 'rest'],
  ],
};
/** MiB before the growing partition's minimum, and that minimum */
const NEEDED_MIB: Record<string, number> = { classroom: 513 + 1145, appliance: 1235 + 1024, kiosk: 607 + 256 };

/** [label, disk bytes, end of the growing partition in MiB] */
const SIZES: [string, number, number][] = [
  ['4 GiB', 4 * GiB, 4095],
  ['7.5 GiB', 7.5 * GiB, 7679],
  ['8 GB', 8_000_000_000, 7629],
  ['16 GiB', 16 * GiB, 16383],
  ['64 GiB', 64 * GiB, 65535],
  ['2 TiB', 2048 * GiB, 2097151],
];
const SECTORS = [
  { sectorSize: 512 as const, perMiB: 2048, backupBytes: 33 * 512, entrySectors: 32 },
  { sectorSize: 4096 as const, perMiB: 256, backupBytes: 5 * 4096, entrySectors: 4 },
];

describe.each(SECTORS)('$sectorSize-byte sectors', ({ sectorSize, perMiB, backupBytes, entrySectors }) => {
  for (const id of ['classroom', 'appliance', 'kiosk']) {
    it.each(SIZES)(`${id} on %s`, (_label, diskBytes, endMiB) => {
      const plan = planLayout(profile(id), bundle, diskBytes, { sectorSize });
      const totalLba = Math.floor(diskBytes / sectorSize);
      expect(plan.diskBytes).toBe(diskBytes);
      expect(plan.sectorSize).toBe(sectorSize);
      expect(plan.firstUsableLba).toBe(2 + entrySectors);
      expect(plan.lastUsableLba).toBe(totalLba - 2 - entrySectors);
      expect(plan.neededBytes).toBe(NEEDED_MIB[id]! * MiB + backupBytes);
      const expected = LAYOUTS[id]!.map(([name, typeGuid, startMiB, size], i) => {
        const sizeMiB = size === 'rest' ? endMiB - startMiB : size;
        const verity = name.includes('verity');
        return {
          index: i + 1,
          name,
          typeGuid,
          startLba: startMiB * perMiB,
          sizeLba: sizeMiB * perMiB,
          startBytes: startMiB * MiB,
          sizeBytes: sizeMiB * MiB,
          readOnly: verity,
          attributes: verity ? [60] : [],
        };
      });
      expect(
        plan.partitions.map(({ index, name, typeGuid, startLba, sizeLba, startBytes, sizeBytes, readOnly, attributes }) => ({
          index, name, typeGuid, startLba, sizeLba, startBytes, sizeBytes, readOnly, attributes,
        })),
      ).toEqual(expected);
    });
  }

  it.each(SIZES)('raw image of 1,000,000,000 bytes on %s, without and with persistence', (_label, diskBytes, endMiB) => {
    const plain = planLayout(profile('raw'), { imageBytes: 1_000_000_000 }, diskBytes, { sectorSize });
    // 1e9 / 512 = 1,953,125 sectors exactly; 1e9 / 4096 = 244,140.6 -> 244,141 sectors
    const imageLba = sectorSize === 512 ? 1_953_125 : 244_141;
    expect(plain.partitions).toEqual([
      expect.objectContaining({ index: 0, role: 'raw-image', startLba: 0, sizeLba: imageLba, startBytes: 0, sizeBytes: 1_000_000_000 }),
    ]);
    expect(plain.neededBytes).toBe(imageLba * sectorSize);
    expect(plain.rawSteps?.map((s) => s.step)).toEqual(['write-image']);

    // persistence starts at the first MiB boundary behind the image: ceil(953.67) = 954 MiB
    const withData = planLayout(profile('raw'), { imageBytes: 1_000_000_000 }, diskBytes, { sectorSize, persistence: true });
    expect(withData.partitions[1]).toMatchObject({
      index: 0, role: 'persistence', name: 'iios-data', typeGuid: DATA, filesystem: 'ext4',
      startLba: 954 * perMiB, sizeLba: (endMiB - 954) * perMiB, startBytes: 954 * MiB, sizeBytes: (endMiB - 954) * MiB,
    });
    expect(withData.neededBytes).toBe((954 + 256) * MiB + backupBytes);
    const endLba = endMiB * perMiB - 1;
    expect(withData.rawSteps?.find((s) => s.step === 'add-partition')?.argv).toEqual([
      'sgdisk', '-n', `0:${954 * perMiB}:${endLba}`, '-t', `0:${DATA}`, '-c', '0:iios-data', '<disk>',
    ]);
  });

  it('refuses a target one byte short of the need, accepts exactly the need', () => {
    const needed = NEEDED_MIB.appliance! * MiB + backupBytes;
    const exact = planLayout(profile('appliance'), bundle, needed, { sectorSize });
    expect(exact.partitions[5]).toMatchObject({ name: 'iios-data', startBytes: 1235 * MiB, sizeBytes: 1024 * MiB });
    const err = (() => {
      try {
        planLayout(profile('appliance'), bundle, needed - 1, { sectorSize });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TooSmallError);
    expect((err as TooSmallError).neededBytes).toBe(needed);
  });
});

describe('refusals', () => {
  it('says how much a too-small target lacks, in the words of the issue', () => {
    expect(() => planLayout(profile('appliance'), bundle, 2 * GiB)).toThrow(
      'target is 2.1 GB but the appliance profile needs at least 2.4 GB (2,368,750,080 bytes)',
    );
    // 1658 MiB + 16,896 B = 1,738,555,904 B; both round to 1.7 GB, so the message shows one more digit
    expect(() => planLayout(profile('classroom'), bundle, 1_700_000_000)).toThrow(
      'target is 1.70 GB but the classroom profile needs at least 1.74 GB (1,738,555,904 bytes)',
    );
  });

  it('a raw image larger than the target', () => {
    expect(() => planLayout(profile('raw'), { imageBytes: 5 * GiB }, 4 * GiB)).toThrow(TooSmallError);
  });

  it('an A/B profile refuses a bundle without verity, and one of a kind it does not take', () => {
    expect(() => planLayout(profile('appliance'), { ...bundle, verityBytes: null }, 16 * GiB)).toThrow(
      'the appliance profile seals its slots with dm-verity; this bundle has no verity hash tree',
    );
    expect(() => planLayout(profile('kiosk'), { ...bundle, rootfsKind: 'btrfs-seed' }, 16 * GiB)).toThrow(
      "the kiosk profile takes squashfs or erofs root images; this bundle's is btrfs-seed",
    );
  });

  it('the raw profile takes an image, the others a bundle', () => {
    expect(() => planLayout(profile('raw'), bundle, 16 * GiB)).toThrow(PlanError);
    expect(() => planLayout(profile('kiosk'), { imageBytes: GiB }, 16 * GiB)).toThrow(PlanError);
  });

  it('an ESP too small for the boot files of both slots', () => {
    const big = { ...bundle, bootBytes: { bootloader: 200_000, perSlot: 300 * MiB } };
    expect(() => planLayout(profile('appliance'), big, 16 * GiB)).toThrow(/IIOS-ESP is 537 MB but the boot files of 2 slot\(s\) need/);
    expect(planLayout(profile('classroom'), big, 16 * GiB).partitions[0]!.sizeBytes).toBe(512 * MiB);
  });
});

describe('identity', () => {
  it('names arm64 type GUIDs for an aarch64 bundle', () => {
    const plan = planLayout(profile('appliance'), { ...bundle, arch: 'aarch64' }, 16 * GiB);
    expect(plan.partitions[1]!.typeGuid).toBe('b921b045-1df0-41c3-af44-4c6f280d3fae');
    expect(plan.partitions[2]!.typeGuid).toBe('df3300ce-d69f-4c92-978c-9bfb0f38d820');
  });

  it('derives the same unique GUIDs from the same seed, other ones from another seed, none without', () => {
    const a = planLayout(profile('appliance'), bundle, 16 * GiB, { seed: 'job-1/t1' });
    const b = planLayout(profile('appliance'), bundle, 16 * GiB, { seed: 'job-1/t1' });
    const c = planLayout(profile('appliance'), bundle, 16 * GiB, { seed: 'job-1/t2' });
    expect(a).toEqual(b);
    const guids = a.partitions.map((p) => p.uniqueGuid!);
    expect(new Set([...guids, a.diskGuid]).size).toBe(7);
    for (const g of guids) expect(g).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(c.partitions.map((p) => p.uniqueGuid)).not.toEqual(guids);
    expect(planLayout(profile('appliance'), bundle, 16 * GiB).partitions.some((p) => 'uniqueGuid' in p)).toBe(false);
  });

  it('takes explicit GUIDs over the seed and refuses malformed ones', () => {
    const plan = planLayout(profile('classroom'), bundle, 16 * GiB, { seed: 's', uuids: { system: 'AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE' } });
    expect(plan.partitions[1]!.uniqueGuid).toBe('aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee');
    expect(() => planLayout(profile('classroom'), bundle, 16 * GiB, { uuids: { esp: 'nope' } })).toThrow('uuids.esp: "nope" is not a GUID');
  });

  it('carries filesystems, Btrfs subvolumes and content sizes for the writer', () => {
    const plan = planLayout(profile('classroom'), bundle, 16 * GiB);
    expect(plan.partitions.map((p) => p.filesystem)).toEqual(['vfat', 'btrfs']);
    expect(plan.partitions[1]!.btrfs).toEqual({
      subvolumes: ['@', '@home', '@snapshots', '@caches', '@iios'],
      snapshots: [{ source: '@', path: '@snapshots/factory', readOnly: true }],
    });
    const ab = planLayout(profile('appliance'), bundle, 16 * GiB);
    expect(ab.partitions.map((p) => p.filesystem)).toEqual(['vfat', 'squashfs', 'verity', 'squashfs', 'verity', 'btrfs']);
    expect(ab.partitions.map((p) => p.contentBytes)).toEqual([undefined, 300_000_000, 2_375_680, 300_000_000, 2_375_680, undefined]);
    expect(ab.partitions[5]!.btrfs?.subvolumes).toEqual(['@state', '@home', '@caches', '@iios', '@snapshots']);
  });
});
