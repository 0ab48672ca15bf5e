import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLsblk } from '../../src-shared/drives/inventory.ts';
import { checkTargetSafety, systemDisks, topLevelDisk, type SafetyFacts, type TargetForCheck } from '../../src-shared/drives/safety.ts';

const fixture = (name: string) => parseLsblk(readFileSync(join(import.meta.dirname, 'fixtures/lsblk', `${name}.json`), 'utf8'));
const GiB = 1024 ** 3;

function facts(name: string, extra: Partial<SafetyFacts> = {}): SafetyFacts {
  return { devices: fixture(name), loopBacking: new Map(), extraSystemDisks: [], sourceDisks: [], sourcePaths: ['/srv/bundles/demo'], ...extra };
}

const dev = (path: string): TargetForCheck => ({ kind: 'device', path, sizeBytes: 0 });
const codes = (t: TargetForCheck, f: SafetyFacts, need = 2 * GiB, unmountIfMounted = false) =>
  checkTargetSafety(t, need, f, { unmountIfMounted }).problems.map((p) => p.code);

describe('system disks from captured lsblk output', () => {
  it.each([
    ['laptop', ['/dev/nvme0n1']],
    ['vm-loops', ['/dev/vda']],
    ['live-usb', []],
  ])('%s → %j', (name, want) => {
    expect([...systemDisks(facts(name))].sort()).toEqual(want);
  });

  it('finds the top-level disk of a crypt holder', () => {
    expect(topLevelDisk(fixture('laptop'), '/dev/mapper/luks-3f1c')).toBe('/dev/nvme0n1');
    expect(topLevelDisk(fixture('laptop'), '/dev/nowhere')).toBeNull();
  });
});

describe('device targets', () => {
  const laptopSource = facts('laptop', { sourceDisks: ['/dev/sdd'] });
  it.each([
    { fx: 'laptop', target: '/dev/nvme0n1', want: ['system', 'mounted'] },
    { fx: 'laptop', target: '/dev/nvme0n1p3', want: ['not-whole-disk', 'system', 'mounted'] },
    { fx: 'laptop', target: '/dev/sda', want: ['mounted'] },
    { fx: 'laptop', target: '/dev/sdb', want: ['read-only'] },
    { fx: 'laptop', target: '/dev/sdc', want: [] },
    { fx: 'laptop', target: '/dev/sdz', want: ['not-found'] },
    { fx: 'vm-loops', target: '/dev/vda', want: ['system', 'mounted'] },
    { fx: 'vm-loops', target: '/dev/loop0', want: [] },
    { fx: 'vm-loops', target: '/dev/loop1', want: ['too-small', 'mounted'] },
    { fx: 'vm-loops', target: '/dev/loop2', want: ['read-only'] },
    { fx: 'live-usb', target: '/dev/sdb', want: [] },
  ])('$fx $target → $want', ({ fx, target, want }) => {
    expect(codes(dev(target), facts(fx), 512 * 1024 * 1024)).toEqual(want);
  });

  it('refuses the disk that holds the bundle', () => {
    expect(codes(dev('/dev/sdd'), laptopSource)).toEqual(['source', 'mounted']);
  });

  it('refuses a live system medium found through its loop (helper-supplied extra system disk)', () => {
    expect(codes(dev('/dev/sda'), facts('live-usb', { extraSystemDisks: ['/dev/sda'] }))).toEqual(['system', 'mounted']);
  });

  it('refuses a loop device over the source image', () => {
    const f = facts('vm-loops', { loopBacking: new Map([['/dev/loop3', '/srv/images/debian.img']]), sourcePaths: ['/srv/images/debian.img'] });
    expect(codes(dev('/dev/loop3'), f, GiB)).toEqual(['source']);
    expect(codes(dev('/dev/loop3'), f, 2 * GiB)).toEqual(['source', 'too-small']);
  });

  it('unmounts only when allowed and nothing else is wrong, deepest first', () => {
    const v = checkTargetSafety(dev('/dev/sda'), 2 * GiB, facts('laptop'), { unmountIfMounted: true });
    expect(v.problems).toEqual([]);
    expect(v.unmount).toEqual(['/media/ana/STICK']);
    const sys = checkTargetSafety(dev('/dev/nvme0n1'), 2 * GiB, facts('laptop'), { unmountIfMounted: true });
    expect(sys.problems.map((p) => p.code)).toEqual(['system']);
    expect(sys.unmount).toEqual([]);
  });

  it('reports the real size and sector size', () => {
    const v = checkTargetSafety(dev('/dev/sdd'), 2 * GiB, facts('laptop'), { unmountIfMounted: true });
    expect(v.sizeBytes).toBe(64088965120);
    expect(v.sectorSize).toBe(4096);
  });

  it('says what is too small in words', () => {
    const v = checkTargetSafety(dev('/dev/loop1'), 2 * GiB, facts('vm-loops'), { unmountIfMounted: false });
    expect(v.problems[0]!.message).toBe('/dev/loop1: 256 MiB is too small, this needs at least 2.0 GiB');
  });
});

describe('image-file targets', () => {
  const img = (path: string, sizeBytes = 8 * GiB): TargetForCheck => ({ kind: 'image-file', path, sizeBytes });
  it.each([
    { target: img('/srv/out/stick.img'), want: [] },
    { target: img('/srv/out/stick.img', GiB), want: ['too-small'] },
    { target: img('/dev/sdc'), want: ['bad-path'] },
    { target: img('/srv/out/../../etc/x.img'), want: ['bad-path'] },
    { target: img('/srv/bundles/demo/root.squashfs'), want: ['source'] },
    { target: img('/srv/bundles'), want: ['source'] },
  ])('$target.path ($target.sizeBytes) → $want', ({ target, want }) => {
    expect(codes(target, facts('vm-loops'))).toEqual(want);
  });

  it('refuses an image file that is attached to a loop device', () => {
    const f = facts('vm-loops', { loopBacking: new Map([['/dev/loop0', '/srv/out/stick.img']]) });
    expect(codes(img('/srv/out/stick.img'), f)).toEqual(['mounted']);
  });
});
