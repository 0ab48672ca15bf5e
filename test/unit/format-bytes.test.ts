// The one size formatter (src-shared/format/bytes.ts): decimal units everywhere, so one stick reads the same
// in the wizard, the `iios` command and the helper's refusals. The last table runs each of those three paths
// on the same sizes and finds the same text in each.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatBytesApart, groupDigits } from '../../src-shared/format/bytes.ts';
import { driveIssues } from '../../src-shared/drives/drive-rules.ts';
import { checkTargetSafety } from '../../src-shared/drives/safety.ts';
import type { Drive } from '../../src-shared/contract/index.ts';
import { TooSmallError } from '../../src-shared/layout/index.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1, '1 B'],
    [512, '512 B'],
    [999, '999 B'],
    [999.6, '1.0 kB'],
    [1000, '1.0 kB'],
    [1024, '1.0 kB'],
    [99_949, '99.9 kB'],
    [99_950, '100 kB'],
    [999_499, '999 kB'],
    [999_500, '1.0 MB'],
    [67_108_864, '67.1 MB'],
    [512 * MiB, '537 MB'],
    [8e9, '8.0 GB'],
    [8 * GiB, '8.6 GB'],
    [15_518_924_800, '15.5 GB'], // a "16 GB" stick as the kernel sees it
    [16 * GiB, '17.2 GB'],
    [274_877_906_944, '275 GB'],
    [2.5e12, '2.5 TB'],
    [2 ** 53, '9.0 PB'],
    [1e21, '1000000 PB'],
    [-1, '—'],
    [Number.NaN, '—'],
    [Number.POSITIVE_INFINITY, '—'],
  ])('%d bytes → %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));

  it.each([
    [2_147_483_648, 2, '2.15 GB'],
    [2_147_483_648, 0, '2 GB'],
    [300 * MiB, 3, '314.573 MB'],
  ])('%d bytes with %d decimals → %s', (bytes, digits, text) => expect(formatBytes(bytes, digits)).toBe(text));
});

describe('formatBytesApart', () => {
  it.each([
    [2.1e9, 2.4e9, ['2.1 GB', '2.4 GB']],
    [1_700_000_000, 1_738_555_904, ['1.70 GB', '1.74 GB']],
    [2_147_000_000, 2_147_483_648, ['2.1470 GB', '2.1475 GB']],
    [5e8, 5e8, ['500 MB', '500 MB']],
    [2e9, 2_147_483_648, ['2.0 GB', '2.1 GB']],
    [300 * MiB, 315e6, ['314.6 MB', '315.0 MB']],
    [100 * MiB, 128 * MiB, ['105 MB', '134 MB']],
  ])('%d and %d → %j', (a, b, texts) => expect(formatBytesApart(a, b)).toEqual(texts));
});

describe('groupDigits', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [4_294_967_296, '4,294,967,296'],
  ])('%d → %s', (n, text) => expect(groupDigits(n)).toBe(text));
});

describe('one stick, one size: the wizard, the command and the helper agree', () => {
  // The wizard and `iios drives` both show formatBytes(drive.sizeBytes) (TargetsStep, commands/drives.ts);
  // their refusals come from driveIssues (app), checkTargetSafety (helper) and the planner (both).
  it.each([
    [7_751_073_792, '7.8 GB'],
    [2 * GiB, '2.1 GB'],
    [256 * MiB, '268 MB'],
  ])('a %d-byte stick reads %s in every refusal', (size, text) => {
    const needed = size * 3;
    const neededText = formatBytes(needed);
    expect(formatBytes(size)).toBe(text);
    const drive: Drive = {
      id: '/dev/sdb',
      device: '/dev/sdb',
      devicePath: null,
      description: 'USB stick',
      sizeBytes: size,
      logicalBlockSize: 512,
      physicalBlockSize: 512,
      busType: 'USB',
      removable: true,
      readOnly: false,
      system: false,
      virtual: false,
      usb: true,
      card: false,
      backingFile: null,
      mountpoints: [],
      partitionTableType: null,
    };
    const app = driveIssues(drive, { requiredBytes: needed }).find((i) => i.code === 'too-small')!.message;
    expect(app).toBe(`Too small: needs at least ${neededText}`);
    const facts = { devices: [], loopBacking: new Map(), extraSystemDisks: [], sourceDisks: [], sourcePaths: [] };
    const target = { kind: 'image-file', path: '/srv/out/stick.img', sizeBytes: size } as const;
    const helper = checkTargetSafety(target, needed, facts, { unmountIfMounted: false }).problems.find((p) => p.code === 'too-small')!.message;
    expect(helper).toBe(`/srv/out/stick.img: ${text} is too small, this needs at least ${neededText} (${groupDigits(needed)} bytes)`);
    expect(new TooSmallError('appliance', size, needed).message).toBe(
      `target is ${text} but the appliance profile needs at least ${neededText} (${groupDigits(needed)} bytes)`,
    );
  });
});
