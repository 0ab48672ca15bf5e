// The writer's sgdisk parsers over output captured from a real run (fixtures/sgdisk: the appliance plan with
// seed "fixture" for a 300 MiB root image, written by writeGpt onto an 8 GB sparse file), and the read-back
// comparison that names the field which differs.
import { describe, expect, it } from 'vitest';
import { gptMismatches, plannedGptTable } from '../../helpers/steps/partition.ts';
import { firstFreeNumber, parseGptSummary, parsePartitionInfo, writeGptArgs } from '../../helpers/tools/sgdisk.ts';
import { planLayout } from '../../src-shared/layout/index.ts';
import type { ImageProfile } from '../../src-shared/profile/image-profile.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFixture } from './fixtures/read-fixture.ts';

const appliance: ImageProfile = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');
const MiB = 1024 * 1024;
const plan = planLayout(appliance, { rootfsKind: 'squashfs', rootfsBytes: 300 * MiB, verityBytes: 3 * MiB }, 8_000_000_000, { sectorSize: 512, seed: 'fixture' });
const table = plannedGptTable(plan, () => {
  throw new Error('a seeded plan has every GUID');
});
const info = (i: number) => parsePartitionInfo(readFixture<string>(`sgdisk/appliance-i${i}.txt`));

describe('sgdisk -i (captured)', () => {
  it('the ESP: type, unique GUID, range, no attributes, name', () => {
    expect(info(1)).toEqual({
      typeGuid: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
      uniqueGuid: 'd8e3ba6e-4d7d-4241-837c-45bfff04a310',
      firstLba: 2048,
      lastLba: 1050623,
      attributes: 0n,
      name: 'IIOS-ESP',
    });
  });

  it('a verity partition carries exactly bit 60', () => {
    expect(info(3)).toEqual({
      typeGuid: '2c7357ed-ebd2-46d9-aec1-23d437ec2bf5',
      uniqueGuid: 'a06d103a-2bb8-45df-9375-0c5d3cb4f43a',
      firstLba: 3147776,
      lastLba: 3166207,
      attributes: 1n << 60n,
      name: 'iios-verity-a',
    });
  });

  it('an empty slot is null', () => {
    expect(info(9)).toBeNull();
  });

  it.each([1, 3, 6])('partition %i reads back exactly as the seeded plan wrote it', (i) => {
    expect(gptMismatches(table.partitions[i - 1]!, info(i)!)).toEqual([]);
  });
});

describe('read-back differences name the field, planned vs found', () => {
  const verity = table.partitions[2]!;
  it.each([
    [{ attributes: [] }, 'attributes planned 0x0000000000000000, found 0x1000000000000000'],
    [{ attributes: [60, 63] }, 'attributes planned 0x9000000000000000, found 0x1000000000000000'],
    [{ sizeLba: verity.sizeLba + 2048 }, 'last LBA planned 3168255, found 3166207'],
    [{ startLba: 3147777, sizeLba: verity.sizeLba - 1 }, 'first LBA planned 3147777, found 3147776'],
    [{ name: 'iios-verity-b' }, 'name planned "iios-verity-b", found "iios-verity-a"'],
    [{ typeGuid: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709' }, 'type planned 4f68bce3-e8cd-4db1-96e7-fbcaf984b709, found 2c7357ed-ebd2-46d9-aec1-23d437ec2bf5'],
    [{ uniqueGuid: '00000000-0000-4000-8000-000000000001' }, 'unique GUID planned 00000000-0000-4000-8000-000000000001, found a06d103a-2bb8-45df-9375-0c5d3cb4f43a'],
  ])('%o', (change, message) => {
    expect(gptMismatches({ ...verity, ...change }, info(3)!)).toEqual([message]);
  });

  it('no unique GUID planned: not compared', () => {
    expect(gptMismatches({ ...verity, uniqueGuid: undefined }, info(3)!)).toEqual([]);
  });
});

describe('sgdisk -p (captured)', () => {
  const summary = parseGptSummary(readFixture<string>('sgdisk/appliance-p.txt'));
  it('disk GUID and the partitions in use', () => {
    expect(summary.diskGuid).toBe(plan.diskGuid);
    expect(summary.partitions).toEqual(plan.partitions.map((p) => ({ index: p.index, firstLba: p.startLba })));
    expect(firstFreeNumber(summary)).toBe(7);
  });
  it('the first free number fills a gap', () => {
    expect(firstFreeNumber({ diskGuid: '', partitions: [{ index: 1, firstLba: 2048 }, { index: 3, firstLba: 9000 }] })).toBe(2);
    expect(firstFreeNumber({ diskGuid: '', partitions: [] })).toBe(1);
  });
});

describe('writeGpt arguments', () => {
  it('-o first, then the disk GUID, then per partition -n -c -t -u and -A for each attribute bit', () => {
    const args = writeGptArgs('/dev/loop9', table);
    expect(args.slice(0, 3)).toEqual(['-o', '-U', plan.diskGuid]);
    expect(args.at(-1)).toBe('/dev/loop9');
    const v = table.partitions[2]!;
    expect(args.join(' ')).toContain(`-n 3:3147776:3166207 -c 3:iios-verity-a -t 3:2c7357ed-ebd2-46d9-aec1-23d437ec2bf5 -u 3:${v.uniqueGuid} -A 3:set:60 -n 4:`);
  });
  it('a plan without GUIDs gets fresh ones for the disk and every partition', () => {
    const bare = planLayout(appliance, { rootfsKind: 'squashfs', rootfsBytes: 300 * MiB, verityBytes: 3 * MiB }, 8_000_000_000);
    let n = 0;
    const t = plannedGptTable(bare, () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`);
    expect(t.diskGuid).toBe('00000000-0000-4000-8000-000000000001');
    expect(t.partitions.map((p) => p.uniqueGuid!.slice(-2))).toEqual(['02', '03', '04', '05', '06', '07']);
  });
});
