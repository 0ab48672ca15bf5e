// Image profiles: the four built-in files parse and say what the on-stick format needs; malformed profiles
// are refused with file, field path and reason.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parseImageProfile, parseSizeSpec, ProfileError, profileSlots, resolveFit, validateImageProfile, ImageProfileSchema,
} from '../../src-shared/profile/index.ts';

const FILE = 'resources/profiles/x.yaml';
const builtIn = (id: string) => parseImageProfile(readFileSync(`resources/profiles/${id}.yaml`, 'utf8'), `resources/profiles/${id}.yaml`, id);

function refusal(yaml: string, expectId?: string): string {
  try {
    parseImageProfile(yaml, FILE, expectId);
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    return (err as Error).message;
  }
  throw new Error('the profile was accepted');
}

const HEAD = 'format: 1\nid: x\ntitle: X\ndescription: a test profile\n';
const AB = `${HEAD}mode: ab\npartitions:\n  - { role: esp, size: 256MiB }\n  - { role: root-a, size: fit + 25% }\n  - { role: verity-a, size: fit + 25% }\n`;

describe('built-in profiles', () => {
  it('classroom: ESP + writable Btrfs system with @, @home, @snapshots, @caches, @iios and a read-only factory snapshot', () => {
    const p = builtIn('classroom');
    expect(p.mode).toBe('writable');
    expect(p.partitions.map((x) => [x.role, x.size])).toEqual([['esp', '512MiB'], ['system', 'grow']]);
    expect(p.partitions[1]!.btrfs).toEqual({
      subvolumes: ['@', '@home', '@snapshots', '@caches', '@iios'],
      snapshots: [{ source: '@', path: '@snapshots/factory', readOnly: true }],
    });
    expect(profileSlots(p)).toEqual(['system']);
  });

  it('appliance: A/B root + verity slots of the same size and a growing Btrfs data partition', () => {
    const p = builtIn('appliance');
    expect(p.partitions.map((x) => x.role)).toEqual(['esp', 'root-a', 'verity-a', 'root-b', 'verity-b', 'data']);
    expect(p.partitions.find((x) => x.role === 'data')!.btrfs!.subvolumes).toEqual(['@state', '@home', '@caches', '@iios', '@snapshots']);
    expect(p.rootfsKinds).toEqual(['squashfs', 'erofs']);
    expect(profileSlots(p)).toEqual(['a', 'b']);
  });

  it('kiosk: one verity-sealed slot and a 32 MiB ext4 payload partition', () => {
    const p = builtIn('kiosk');
    expect(p.partitions.find((x) => x.role === 'payload')).toEqual({ role: 'payload', size: '32MiB', filesystem: 'ext4' });
    expect(profileSlots(p)).toEqual(['a']);
  });

  it('raw: the image as it is, persistence off unless chosen', () => {
    const p = builtIn('raw');
    expect(p.partitions).toEqual([]);
    expect(p.raw!.persistence).toEqual({ enabled: false, filesystem: 'ext4', size: 'grow', minSize: '256MiB' });
    expect(p.raw!.compressions).toEqual(['xz', 'gz', 'zst', 'bz2']);
  });

  it.each(['classroom', 'appliance', 'kiosk', 'raw'])('%s has a one-line description and parses again unchanged', (id) => {
    const p = builtIn(id);
    expect(p.description).toMatch(/^[^\n]{10,200}$/);
    expect(ImageProfileSchema.parse(JSON.parse(JSON.stringify(p)))).toEqual(p);
  });
});

describe('size expressions', () => {
  it.each([
    ['2GiB', { kind: 'absolute', bytes: 2 * 2 ** 30 }],
    ['512MiB', { kind: 'absolute', bytes: 512 * 2 ** 20 }],
    ['1.5 GiB', { kind: 'absolute', bytes: 1_610_612_736 }],
    ['0.3MiB', { kind: 'absolute', bytes: 314_573 }], // 314,572.8 rounded up
    ['4096B', { kind: 'absolute', bytes: 4096 }],
    ['fit', { kind: 'fit', extraBasisPoints: 0, extraBytes: 0 }],
    ['fit + 25%', { kind: 'fit', extraBasisPoints: 2500, extraBytes: 0 }],
    ['fit+12.5%', { kind: 'fit', extraBasisPoints: 1250, extraBytes: 0 }],
    ['fit + 64MiB', { kind: 'fit', extraBasisPoints: 0, extraBytes: 64 * 2 ** 20 }],
    ['grow', { kind: 'grow' }],
  ])('%s', (text, spec) => {
    expect(parseSizeSpec(text)).toEqual(spec);
  });

  it.each(['12 parsecs', '2GB', '2G', '-1MiB', 'fit + ', 'fit + 25', 'fit * 2', '', 'grow + 1MiB', '1.1234567GiB'])('refuses %j', (text) => {
    expect(parseSizeSpec(text)).toBeNull();
  });

  it('resolves fit exactly, rounding up', () => {
    expect(resolveFit({ kind: 'fit', extraBasisPoints: 2500, extraBytes: 0 }, 300_000_000)).toBe(375_000_000);
    expect(resolveFit({ kind: 'fit', extraBasisPoints: 1250, extraBytes: 0 }, 3)).toBe(4); // 3.375 -> 4
    expect(resolveFit({ kind: 'fit', extraBasisPoints: 0, extraBytes: 10 }, 7)).toBe(17);
  });
});

describe('malformed profiles', () => {
  it.each([
    [`${AB.replace('256MiB', '12 parsecs')}`, `${FILE}: partitions[0].size: "12 parsecs" is not a size (use 2GiB, 512MiB or "fit + 25%")`],
    [`${AB.replace('256MiB', '2GB')}`, `${FILE}: partitions[0].size: "2GB" is not a size: decimal units are ambiguous for partitions (use 2GiB, 512MiB or "fit + 25%")`],
    [`${AB.replace('256MiB', '256')}`, `${FILE}: partitions[0].size: "256" is not a size (use 2GiB, 512MiB or "fit + 25%")`],
    [`${AB}  - { role: data, size: grow, sise: 1GiB }\n`, `${FILE}: partitions[3].sise: unknown field`],
    [`${AB}  - { role: data, size: grow, filesystem: xfs }\n`, `${FILE}: partitions[3].filesystem: "xfs" is not one of: vfat, btrfs, ext4`],
    [`${AB}  - { role: swap, size: 1GiB }\n`, `${FILE}: partitions[3].role: "swap" is not one of: esp, root-a, verity-a, root-b, verity-b, system, payload, data`],
    [AB.replace('format: 1', 'format: 2'), `${FILE}: format: must be 1, got number 2`],
    [AB.replace('id: x', 'id: X Y'), `${FILE}: id: "X Y" is not a profile id (lowercase letters, digits and dashes)`],
    [AB.replace('mode: ab', 'mode: live'), `${FILE}: mode: "live" is not one of: writable, ab, raw`],
    [AB.replace('title: X\n', ''), `${FILE}: title: is required`],
    [AB.replace('description: a test profile', 'description: |\n  two\n  lines'), `${FILE}: description: must be a single line`],
    [`${AB}  - { role: data, size: grow }\n  - { role: payload, size: 32MiB }\n`, `${FILE}: partitions[3].size: only the last partition may "grow"`],
    [`${AB}  - { role: payload, size: grow }\n`, `${FILE}: partitions[3].size: a "payload" partition cannot "grow" (only system or data)`],
    [`${AB}  - { role: payload, size: fit + 10% }\n`, `${FILE}: partitions[3].size: "fit + 10%" is relative to the bundle, but a "payload" partition holds no bundle image (use an absolute size)`],
    [`${AB}  - { role: data, size: 2GiB, minSize: 1GiB }\n`, `${FILE}: partitions[3].minSize: only a growing partition (size: grow) has a minSize`],
    [`${AB}  - { role: payload, size: 32MiB, filesystem: btrfs }\n`, `${FILE}: partitions[3].filesystem: "btrfs" is not possible for "payload" (allowed: ext4, vfat)`],
    [AB.replace('{ role: root-a, size: fit + 25% }', '{ role: root-a, size: fit + 25%, filesystem: ext4 }'), `${FILE}: partitions[1].filesystem: the filesystem of "root-a" comes from the bundle; remove this field`],
    [`${AB}  - { role: root-b, size: fit + 10% }\n  - { role: verity-b, size: fit + 25% }\n`, `${FILE}: partitions[3].size: slot b must be the same size as slot a: "fit + 10%" differs from root-a's "fit + 25%"`],
    [`${AB}  - { role: root-b, size: fit + 25% }\n`, `${FILE}: partitions: slot b needs both "root-b" and "verity-b" (or neither)`],
    [`${AB}  - { role: esp, size: 1GiB }\n`, `${FILE}: partitions[3].role: "esp" appears twice (also partitions[0])`],
    [`${HEAD}mode: ab\npartitions:\n  - { role: esp, size: 256MiB }\n`, `${FILE}: partitions: a ab profile needs a "root-a" partition\n${FILE}: partitions: a ab profile needs a "verity-a" partition`],
    [`${AB}  - { role: system, size: grow }\n`, `${FILE}: partitions[3].role: a ab profile cannot have a "system" partition`],
    [`${HEAD}mode: raw\n`, `${FILE}: raw: a raw profile needs a "raw" section`],
    [`${AB}raw: {}\n`, `${FILE}: raw: only a raw profile has a "raw" section (mode is ab)`],
    [`${HEAD}mode: raw\nraw:\n  persistence: { size: fit + 10% }\n`, `${FILE}: raw.persistence.size: must be absolute (e.g. 4GiB) or "grow"`],
    [`${AB}  - { role: data, size: grow, filesystem: ext4, btrfs: { subvolumes: ["@home"] } }\n`, `${FILE}: partitions[3].btrfs: subvolumes need filesystem btrfs (this one is ext4)`],
    [`${AB}  - { role: data, size: grow, btrfs: { subvolumes: [home] } }\n`, `${FILE}: partitions[3].btrfs.subvolumes[0]: "home" is not a subvolume name (use @, @home, @caches…)`],
    [`${AB}  - role: data\n    size: grow\n    btrfs:\n      subvolumes: ["@", "@home"]\n      snapshots: [{ source: "@x", path: "@snapshots/factory" }]\n`,
      `${FILE}: partitions[3].btrfs.snapshots[0].source: "@x" is not one of the subvolumes (@, @home)\n${FILE}: partitions[3].btrfs.snapshots[0].path: "@snapshots/factory" must lie inside a listed subvolume ("@snapshots" is not one)`],
    ['format: 1\nid: [\n', `${FILE}: line 3, column 1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`],
    ['a: 1\na: 2\n', `${FILE}: line 2, column 1: not valid YAML: Map keys must be unique`],
    ['- 1\n', `${FILE}: expected a YAML mapping with format, id, title, description, mode`],
  ])('%#: %s', (yaml, message) => {
    expect(refusal(yaml)).toBe(message);
  });

  it('a built-in profile whose id differs from its file name', () => {
    expect(refusal(`${AB}  - { role: data, size: grow }\n`, 'kiosk')).toBe(`${FILE}: id: "x" does not match the file name (expected "kiosk")`);
  });

  it('carries the issues as data (path and message) for the GUI', () => {
    try {
      validateImageProfile({ format: 1, id: 'x', title: 'X', description: 'd', mode: 'ab', partitions: [{ role: 'esp', size: 7 }] }, 'job');
    } catch (err) {
      expect((err as ProfileError).issues).toEqual([
        { path: 'partitions[0].size', message: '"7" is not a size (use 2GiB, 512MiB or "fit + 25%")', said: { code: 'invalid_type', expected: 'string', missing: false } },
      ]);
      expect((err as ProfileError).code).toBe('E_PROFILE');
      return;
    }
    throw new Error('accepted');
  });
});
