// Station mode's rules as tables: which drives arrived, which are flashed without asking, which are refused and
// why, a re-plugged stick recognised, and names that continue across batches.
import { describe, expect, it } from 'vitest';
import type { Drive } from '../../src-shared/contract/index.ts';
import { nextFirstNumber, numberInName, recordWritten } from '../../src-shared/station/name-counter.ts';
import {
  driveIdentity,
  rememberFlashed,
  startStation,
  stationLook,
  type FitVerdict,
  type StationContext,
} from '../../src-shared/station/station-drives.ts';

const GB = 1000 ** 3;

function drive(device: string, patch: Partial<Drive> = {}): Drive {
  return {
    id: device,
    device,
    devicePath: null,
    description: 'USB drive',
    sizeBytes: 16 * GB,
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
    vendor: 'Generic',
    model: 'Flash Disk',
    serial: `SER-${device.slice(-3)}`,
    ...patch,
  };
}

const fitsAll = (): FitVerdict => ({ fits: true });
const ctx = (patch: Partial<StationContext> = {}): StationContext => ({ sourceDevices: [], includeVirtual: false, fit: fitsAll, ...patch });

describe('station: which sticks are flashed as they are plugged in', () => {
  it('leaves alone every drive plugged in before the station started, flashes one plugged in after', () => {
    const before = [drive('/dev/sdb'), drive('/dev/sdc')];
    const memory = startStation(before);
    const { arrivals } = stationLook(memory, [...before, drive('/dev/sdd')], ctx());
    expect(arrivals.map((a) => [a.drive.device, a.decision])).toEqual([['/dev/sdd', 'flash']]);
  });

  it('announces a drive once: the next look with the same list has no arrivals', () => {
    const first = stationLook(startStation([]), [drive('/dev/sdb')], ctx());
    expect(first.arrivals).toHaveLength(1);
    expect(stationLook(first.memory, [drive('/dev/sdb')], ctx()).arrivals).toEqual([]);
  });

  it.each<[string, Partial<Drive>, Partial<StationContext>, RegExp]>([
    ['a system drive', { system: true }, {}, /System drive/],
    ['a mounted stick (the station does not unmount by itself)', { mountpoints: [{ path: '/media/t/STICK', label: 'STICK' }] }, {}, /Mounted at \/media\/t\/STICK/],
    ['the stick holding the image', {}, { sourceDevices: ['/dev/sdd'] }, /Source drive/],
    ['a read-only stick', { readOnly: true }, {}, /Read-only/],
    ['an internal (not removable) disk', { removable: false, usb: false, busType: 'SATA' }, {}, /Not a removable drive/],
    ['a loop device while only real sticks are shown', { virtual: true, backingFile: '/tmp/x.img', serial: null }, {}, /Virtual device/],
    ['a stick too small for the layout', {}, { fit: () => ({ fits: false, reason: 'Too small: needs at least 4 GB' }) }, /Too small/],
  ])('refuses %s', (_what, patch, context, reason) => {
    const { arrivals } = stationLook(startStation([]), [drive('/dev/sdd', patch)], ctx(context));
    expect(arrivals).toHaveLength(1);
    expect(arrivals[0]!.decision).toBe('refused');
    expect(arrivals[0]!.decision === 'refused' && arrivals[0]!.reason).toMatch(reason);
  });

  it('flashes a loop device when virtual drives are shown', () => {
    const loop = drive('/dev/loop7', { virtual: true, backingFile: '/tmp/a.img', serial: null, usb: false, busType: 'LOOP' });
    expect(stationLook(startStation([]), [loop], ctx({ includeVirtual: true })).arrivals[0]!.decision).toBe('flash');
  });

  it('waits while the layout planner has not answered, then decides', () => {
    let fit: FitVerdict = { fits: 'unknown' };
    const first = stationLook(startStation([]), [drive('/dev/sdd')], ctx({ fit: () => fit }));
    expect(first.arrivals).toEqual([]);
    expect(first.memory.waiting).toEqual(['/dev/sdd']);
    fit = { fits: true };
    const second = stationLook(first.memory, [drive('/dev/sdd')], ctx({ fit: () => fit }));
    expect(second.arrivals.map((a) => a.decision)).toEqual(['flash']);
    expect(second.memory.waiting).toEqual([]);
  });
});

describe('station: a stick pulled and plugged back in', () => {
  it('is recognised by its serial under a new device node and not flashed again without asking', () => {
    let memory = startStation([]);
    const stick = drive('/dev/sdd', { serial: '4C530001230719116332' });
    memory = stationLook(memory, [stick], ctx()).memory;
    memory = rememberFlashed(memory, stick, 'class-03');
    memory = stationLook(memory, [], ctx()).memory; // pulled
    const back = drive('/dev/sde', { serial: '4C530001230719116332' });
    const { arrivals } = stationLook(memory, [back], ctx());
    expect(arrivals).toEqual([{ drive: back, decision: 'replugged', previousName: 'class-03' }]);
  });

  it('is recognised on the same device node too (pulled and plugged between two looks of the list)', () => {
    const stick = drive('/dev/sdd');
    let memory = rememberFlashed(startStation([]), stick, 'class-01');
    memory = stationLook(memory, [], ctx()).memory;
    expect(stationLook(memory, [stick], ctx()).arrivals[0]).toMatchObject({ decision: 'replugged', previousName: 'class-01' });
  });

  it('a loop device over the same file is the same stick; over another file it is a new one', () => {
    const a = drive('/dev/loop3', { virtual: true, serial: null, backingFile: '/tmp/a.img' });
    const memory = stationLook(rememberFlashed(startStation([a]), a, 'class-01'), [], ctx({ includeVirtual: true })).memory;
    const again = stationLook(memory, [drive('/dev/loop4', { virtual: true, serial: null, backingFile: '/tmp/a.img' })], ctx({ includeVirtual: true }));
    expect(again.arrivals[0]!.decision).toBe('replugged');
    const other = stationLook(memory, [drive('/dev/loop4', { virtual: true, serial: null, backingFile: '/tmp/b.img' })], ctx({ includeVirtual: true }));
    expect(other.arrivals[0]!.decision).toBe('flash');
  });

  it('two sticks of the same make differ by serial', () => {
    expect(driveIdentity(drive('/dev/sdb', { serial: 'AAA' }))).not.toBe(driveIdentity(drive('/dev/sdc', { serial: 'BBB' })));
  });
});

describe('names continue across batches', () => {
  it.each([
    ['class-{nn}', 'class-07', 7],
    ['class-{nn}', 'class-123', 123],
    ['lab{n}', 'lab12', 12],
    ['pc-{nnn}-x', 'pc-012-x', 12],
    ['{nn}-{nn}', '03-03', 3],
    ['{nn}-{nn}', '03-04', null],
    ['class-{nn}', 'other-07', null],
    ['a.b{n}', 'axb3', null],
    ['kiosk', 'kiosk', null],
  ])('%s: %s → %s', (pattern, name, n) => {
    expect(numberInName(pattern, name)).toBe(n);
  });

  it('starts after the highest number written with the pattern, per pattern', () => {
    let written = recordWritten({}, 'class-{nn}', ['class-01', 'class-02', 'class-03']);
    written = recordWritten(written, 'lab-{n}', ['lab-9']);
    expect(nextFirstNumber(written, 'class-{nn}')).toBe(4);
    expect(nextFirstNumber(written, 'lab-{n}')).toBe(10);
    expect(nextFirstNumber(written, 'room-{nn}')).toBe(1);
    // a later, lower batch does not lower the counter
    written = recordWritten(written, 'class-{nn}', ['class-02']);
    expect(nextFirstNumber(written, 'class-{nn}')).toBe(4);
  });

  it('keeps a start number the teacher chose above the counter', () => {
    const written = recordWritten({}, 'class-{nn}', ['class-01', 'class-02']);
    expect(nextFirstNumber(written, 'class-{nn}', 20)).toBe(20);
    expect(nextFirstNumber(written, 'class-{nn}', 1)).toBe(3);
  });
});
