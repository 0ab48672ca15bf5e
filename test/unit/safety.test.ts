import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLsblk } from '../../src-shared/drives/inventory.ts';
import { existingImageFileProblem, imageFilePathProblem, type ExistingImageFile } from '../../src-shared/drives/image-file-target.ts';
import { startingUids, userMay, type SourceAccess, type StartingUser } from '../../src-shared/drives/readable-by.ts';
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
    expect(v.problems[0]!.message).toBe('/dev/loop1: 268 MB is too small, this needs at least 2.1 GB (2,147,483,648 bytes)');
  });
});

describe('image-file targets', () => {
  const img = (path: string, sizeBytes = 8 * GiB): TargetForCheck => ({ kind: 'image-file', path, sizeBytes });
  it.each([
    { target: img('/srv/out/stick.img'), want: [] },
    { target: img('/srv/out/stick.img', GiB), want: ['too-small'] },
    { target: img('/dev/sdc'), want: ['bad-path'] },
    { target: img('/srv/out/../../etc/x.img'), want: ['bad-path'] },
    { target: img('/srv/bundles/demo/root.squashfs'), want: ['bad-path', 'source'] },
    { target: img('/srv/bundles/demo/old.img'), want: ['source'] },
    { target: img('/srv/bundles'), want: ['bad-path', 'source'] },
    // Only an image file's name, and never in a system folder: the helper deletes and recreates the file.
    { target: img('/etc/shadow'), want: ['bad-path'] },
    { target: img('/usr/bin/ls'), want: ['bad-path'] },
    { target: img('/usr/lib/x.img'), want: ['bad-path'] },
    { target: img('/boot/grub/i386-pc/core.img'), want: ['bad-path'] },
    { target: img('/var/lib/libvirt/images/vm.img'), want: ['bad-path'] },
    { target: img('/run/user/1000/x.img'), want: ['bad-path'] },
    { target: img('/root/.ssh/id.img'), want: ['bad-path'] },
    { target: img('//etc/./x.img'), want: ['bad-path'] },
    { target: img('/tmp/a.txt'), want: ['bad-path'] },
    { target: img('/tmp/noname'), want: ['bad-path'] },
    { target: img('/tmp/.img'), want: ['bad-path'] },
    { target: img('/tmp/ok.img/'), want: ['bad-path'] },
    { target: img('/tmp/ok.img'), want: [] },
    { target: img('/home/u/Class.IMG'), want: [] },
    { target: img('/home/u/stick.raw'), want: [] },
    { target: img('/var/tmp/a.img'), want: [] },
    { target: img('/var/home/u/a.img'), want: [] },
    { target: img('/run/media/ana/USB/class.img'), want: [] },
    { target: img('/root/class.img'), want: [] },
  ])('$target.path ($target.sizeBytes) → $want', ({ target, want }) => {
    expect(codes(target, facts('vm-loops'))).toEqual(want);
  });

  it('says what to do about a bad name or folder', () => {
    expect(imageFilePathProblem('/home/u/class-a')).toBe('/home/u/class-a: an image file must be named *.img or *.raw (iios replaces the file it writes); choose a name such as class-a.img');
    expect(imageFilePathProblem('/etc/x.img')).toMatch(/^\/etc\/x\.img is inside \/etc, a system folder; write the image file to a folder of your own/);
    expect(imageFilePathProblem('/srv/out/../../etc/x.img')).toMatch(/not a plain full path/);
  });

  it('refuses an image file that is attached to a loop device', () => {
    const f = facts('vm-loops', { loopBacking: new Map([['/dev/loop0', '/srv/out/stick.img']]) });
    expect(codes(img('/srv/out/stick.img'), f)).toEqual(['mounted']);
  });
});

describe('what may already be at an image-file target', () => {
  const KiB = 1024;
  const head = (fill: (b: Uint8Array) => void, size = KiB) => {
    const b = new Uint8Array(size);
    fill(b);
    return b;
  };
  const gpt = head((b) => b.set(new TextEncoder().encode('EFI PART'), 512));
  const mbr = head((b) => b.set([0x55, 0xaa], 510));
  const text = new TextEncoder().encode('root:$6$salt$hash:19000:0:99999:7:::\n'.repeat(40)).subarray(0, KiB);
  const file = (h: Uint8Array, sizeBytes = 8 * KiB * KiB): ExistingImageFile => ({ kind: 'file', sizeBytes, head: h });
  it.each([
    { what: 'nothing', existing: { kind: 'absent', sizeBytes: 0, head: new Uint8Array() } as ExistingImageFile, ok: true },
    { what: 'an empty file', existing: file(new Uint8Array(), 0), ok: true },
    { what: 'a GPT disk image', existing: file(gpt), ok: true },
    { what: 'an MBR disk image', existing: file(mbr), ok: true },
    { what: 'a started write (zeros)', existing: file(new Uint8Array(KiB)), ok: true },
    { what: 'a text file', existing: file(text), ok: false },
    { what: 'a few zero bytes', existing: file(new Uint8Array(10), 10), ok: false },
    { what: 'a GPT signature at the wrong place', existing: file(head((b) => b.set(new TextEncoder().encode('EFI PART'), 0))), ok: false },
    { what: 'a symbolic link', existing: { kind: 'symlink', sizeBytes: 20, head: new Uint8Array() } as ExistingImageFile, ok: false },
    { what: 'a folder or device', existing: { kind: 'other', sizeBytes: 0, head: new Uint8Array() } as ExistingImageFile, ok: false },
  ])('$what → ok $ok', ({ existing, ok }) => {
    expect(existingImageFileProblem('/tmp/x.img', existing) === null).toBe(ok);
  });

  it('says what to do', () => {
    expect(existingImageFileProblem('/tmp/x.img', file(text))).toBe(
      '/tmp/x.img already exists and does not look like a disk image; iios would replace it — move or delete it yourself if it can go, or choose another name',
    );
    expect(existingImageFileProblem('/tmp/x.img', { kind: 'symlink', sizeBytes: 1, head: new Uint8Array() })).toMatch(/is a symbolic link; iios does not write through links/);
  });
});

describe('sources readable by the user who started iios', () => {
  const ana: StartingUser = { uid: 1000, gids: [1000, 24, 100] };
  const f = (mode: number, uid: number, gid: number) => ({ mode: 0o100000 | mode, uid, gid });
  const d = (mode: number, uid: number, gid: number) => ({ mode: 0o40000 | mode, uid, gid });
  it.each<{ what: string; user: StartingUser; file: { mode: number; uid: number; gid: number }; access: SourceAccess; may: boolean }>([
    { what: 'her own file', user: ana, file: f(0o600, 1000, 1000), access: 'read', may: true },
    { what: "root's private file", user: ana, file: f(0o600, 0, 0), access: 'read', may: false },
    { what: "root's world-readable file", user: ana, file: f(0o644, 0, 0), access: 'read', may: true },
    { what: '/etc/shadow (root:shadow 0640), not in shadow', user: ana, file: f(0o640, 0, 42), access: 'read', may: false },
    { what: '/etc/shadow, in group shadow', user: { uid: 1000, gids: [1000, 42] }, file: f(0o640, 0, 42), access: 'read', may: true },
    { what: 'a group-readable file of her group cdrom', user: ana, file: f(0o640, 0, 24), access: 'read', may: true },
    { what: 'her own file with owner bits off (others may, she may not)', user: ana, file: f(0o044, 1000, 1000), access: 'read', may: false },
    { what: 'a group with the group bits off (others may)', user: ana, file: f(0o604, 0, 100), access: 'read', may: false },
    { what: 'a write-only file', user: ana, file: f(0o622, 0, 0), access: 'read', may: false },
    { what: "root's home 0700", user: ana, file: d(0o700, 0, 0), access: 'search', may: false },
    { what: 'a 0711 folder: passable', user: ana, file: d(0o711, 0, 0), access: 'search', may: true },
    { what: 'a 0711 folder: not listable', user: ana, file: d(0o711, 0, 0), access: 'list', may: false },
    { what: 'a 0755 folder: listable', user: ana, file: d(0o755, 0, 0), access: 'list', may: true },
    { what: 'a 0744 folder: not listable (no x)', user: ana, file: d(0o744, 0, 0), access: 'list', may: false },
    { what: 'root reads anything', user: { uid: 0, gids: [0] }, file: f(0o000, 1000, 1000), access: 'read', may: true },
    { what: 'nobody, a 0644 root file', user: { uid: 65534, gids: [65534] }, file: f(0o644, 0, 0), access: 'read', may: true },
    { what: 'nobody, a 0600 root file', user: { uid: 65534, gids: [65534] }, file: f(0o600, 0, 0), access: 'read', may: false },
  ])('$what → $may', ({ user, file, access, may }) => {
    expect(userMay(user, file, access)).toBe(may);
  });

  it.each([
    { env: {}, uids: [] },
    { env: { SUDO_UID: '1000' }, uids: [1000] },
    { env: { PKEXEC_UID: '1001' }, uids: [1001] },
    { env: { PKEXEC_UID: '1001', SUDO_UID: '1000' }, uids: [1001, 1000] },
    { env: { SUDO_UID: '0' }, uids: [] },
    { env: { SUDO_UID: '' }, uids: [] },
  ])('starting users from $env → $uids', ({ env, uids }) => {
    expect(startingUids(env)).toEqual(uids);
  });

  it('refuses a user id that is not a number', () => {
    expect(() => startingUids({ SUDO_UID: '1000; rm' })).toThrow('SUDO_UID=1000; rm is not a user id');
  });
});
