// The shared rules behind "busy" and "refused before the first byte": a loop over a target or a range of it,
// a kernel holder; payload files against their partition; an image file against its filesystem's room.
import { describe, expect, it } from 'vitest';
import { busyVerdict, loopFromSys } from '../../src-shared/drives/busy.ts';
import { imageFileRoomProblem, payloadProblem } from '../../src-shared/drives/capacity.ts';
import type { LsblkDevice } from '../../src-shared/drives/inventory.ts';

const MiB = 1024 * 1024;
const dev = (name: string, mountpoints: string[] = []): LsblkDevice => ({ name, type: 'loop', size: 1, ro: false, rm: false, tran: null, logSec: 512, phySec: 512, pttype: null, label: null, partlabel: null, mountpoints, children: [] });

describe('busy', () => {
  const loop7 = loopFromSys('/dev/loop7', { backing_file: '/dev/loop3\n', offset: `${MiB}\n`, sizelimit: `${64 * MiB}\n` })!;
  it('a loop over a range of the target, mounted, is named with its range and mount', () => {
    const v = busyVerdict('/dev/loop3', { loops: [loop7], holders: [], devices: [dev('/dev/loop7', ['/mnt/x'])] }, { unmountIfMounted: false });
    expect(v.problems.map((p) => p.message)).toEqual([`/dev/loop3 is in use: loop device /dev/loop7 covers bytes ${MiB}–${65 * MiB} of it, mounted at /mnt/x; detach it first (losetup -d /dev/loop7) or allow unmounting`]);
  });
  it('with unmounting allowed the loop is unmounted and detached instead', () => {
    const v = busyVerdict('/dev/loop3', { loops: [loop7], holders: [], devices: [dev('/dev/loop7', ['/mnt/x', '/mnt/x/y'])] }, { unmountIfMounted: true });
    expect(v).toEqual({ problems: [], unmount: ['/mnt/x/y', '/mnt/x'], detach: ['/dev/loop7'] });
  });
  it('holders are never cleaned; a loop over another disk is not busy', () => {
    expect(busyVerdict('/dev/sdb', { loops: [loop7], holders: ['dm-0'], devices: [] }, { unmountIfMounted: true }).problems).toHaveLength(1);
    expect(busyVerdict('/dev/loop4', { loops: [loop7], holders: [], devices: [] }, { unmountIfMounted: false }).problems).toEqual([]);
  });
  it('an unbound loop reads as none; a deleted backing file keeps its name', () => {
    expect(loopFromSys('/dev/loop1', {})).toBeNull();
    expect(loopFromSys('/dev/loop1', { backing_file: '/tmp/a.img (deleted)\n' })?.backing).toBe('/tmp/a.img');
  });
});

describe('capacity', () => {
  it('payload files that cannot fit the 32 MiB kiosk payload partition are refused', () => {
    expect(payloadProblem(32 * MiB, 'ext4', [100 * 1000 * 1000])).toMatch(/payload partition holds about/);
    expect(payloadProblem(32 * MiB, 'ext4', [4 * MiB, 1000])).toBeNull();
  });
  it('an image file needs room for what the job surely writes; the old image counts as room', () => {
    expect(imageFileRoomProblem('/x/a.img', { freeBytes: 10 * MiB, reclaimableBytes: 0 }, 20 * MiB)).toMatch(/writes at least/);
    expect(imageFileRoomProblem('/x/a.img', { freeBytes: 10 * MiB, reclaimableBytes: 10 * MiB }, 20 * MiB)).toBeNull();
  });
});
