// The names a user gives USB ports (and loop devices' files), kept in ~/.config/iios/port-labels.json with
// $XDG_CONFIG_HOME honoured: set, replaced, forgotten, kept across a new store (a restart), two quick renames
// both kept, and a missing or damaged file read as no names. Plus the place keys the GUI names them by.
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanLabel, PortLabelStore, portLabelsPath } from '../../src-main/services/drives/port-labels.ts';
import { driveDistinction } from '../../src-shared/drives/drive-label.ts';
import { placeOf, placeText } from '../../src-shared/drives/usb-port.ts';
import { createHandlers } from '../../src-main/services/handlers.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iios-words2-labels-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('where the names are kept', () => {
  it('is ~/.config/iios/port-labels.json, or under an absolute $XDG_CONFIG_HOME', () => {
    expect(portLabelsPath({}, '/home/t')).toBe('/home/t/.config/iios/port-labels.json');
    expect(portLabelsPath({ XDG_CONFIG_HOME: '/srv/cfg' }, '/home/t')).toBe('/srv/cfg/iios/port-labels.json');
    // the spec: a relative XDG_CONFIG_HOME is invalid and ignored
    expect(portLabelsPath({ XDG_CONFIG_HOME: 'cfg' }, '/home/t')).toBe('/home/t/.config/iios/port-labels.json');
    expect(portLabelsPath({ XDG_CONFIG_HOME: '' }, '/home/t')).toBe('/home/t/.config/iios/port-labels.json');
  });
});

describe('the port label store', () => {
  it('names a port, renames it, forgets it, and a new store (a restart) reads what the last one wrote', async () => {
    const file = portLabelsPath({ XDG_CONFIG_HOME: dir });
    const store = new PortLabelStore(file);
    expect(await store.all()).toEqual({});
    expect(await store.set('pci-0000:00:14.0/1.4', '  left   hub, 4 ')).toEqual({ 'pci-0000:00:14.0/1.4': 'left hub, 4' });
    await store.set('file:/tmp/a.img', 'Tisch 3');
    expect(JSON.parse(await readFile(join(dir, 'iios', 'port-labels.json'), 'utf8'))).toEqual({ 'pci-0000:00:14.0/1.4': 'left hub, 4', 'file:/tmp/a.img': 'Tisch 3' });
    await store.set('pci-0000:00:14.0/1.4', 'right hub, 4');
    expect(await new PortLabelStore(file).all()).toEqual({ 'pci-0000:00:14.0/1.4': 'right hub, 4', 'file:/tmp/a.img': 'Tisch 3' });
    expect(await store.set('pci-0000:00:14.0/1.4', null)).toEqual({ 'file:/tmp/a.img': 'Tisch 3' });
    expect(await store.set('file:/tmp/a.img', '   ')).toEqual({});
    expect(await new PortLabelStore(file).all()).toEqual({});
  });

  it('keeps both of two renames sent at once', async () => {
    const store = new PortLabelStore(join(dir, 'iios', 'port-labels.json'));
    await Promise.all([store.set('a', 'one'), store.set('b', 'two'), store.set('c', 'three')]);
    expect(await store.all()).toEqual({ a: 'one', b: 'two', c: 'three' });
  });

  it('reads a missing, damaged or odd file as no names (or only the good ones), never as an error', async () => {
    const file = join(dir, 'iios', 'port-labels.json');
    await mkdir(join(dir, 'iios'));
    const store = new PortLabelStore(file);
    await writeFile(file, '{ not json');
    expect(await store.all()).toEqual({});
    await writeFile(file, '["a"]');
    expect(await store.all()).toEqual({});
    await writeFile(file, JSON.stringify({ a: 'ok', b: 3, c: '  ' }));
    expect(await store.all()).toEqual({ a: 'ok' });
    // and a write over a damaged file starts again from what could be read
    await writeFile(file, '{ not json');
    expect(await store.set('d', 'new')).toEqual({ d: 'new' });
  });

  it('cuts a name to 40 characters', () => {
    expect(cleanLabel('x'.repeat(60))).toHaveLength(40);
  });

  it('is what drives.portLabels and drives.setPortLabel answer with', async () => {
    const store = new PortLabelStore(join(dir, 'iios', 'port-labels.json'));
    const handlers = createHandlers({ appInfo: () => ({ name: 'iios', version: '0', platform: 'linux', arch: 'x64', elevated: false }), drives: { list: async () => [], eject: async () => ({ ejected: false }) }, portLabels: store });
    const ctx = { transport: 'local' as const };
    expect(await handlers['drives.setPortLabel']({ key: 'k', label: 'Tisch 1' }, ctx)).toEqual({ k: 'Tisch 1' });
    expect(await handlers['drives.portLabels'](undefined, ctx)).toEqual({ k: 'Tisch 1' });
  });
});

describe('the places names are given to', () => {
  const usb = { devicePath: '/dev/disk/by-path/pci-0000:00:14.0-usb-0:1.4:1.0-scsi-0:0:0:0', backingFile: null };
  const loop = { devicePath: null, backingFile: '/tmp/iios-x/stick.img' };

  it('keys a USB port by controller and port chain, a loop device by its file, and shows the name given', () => {
    expect(placeOf(usb)).toEqual({ key: 'pci-0000:00:14.0/1.4', text: 'port 1.4' });
    expect(placeOf(loop)).toEqual({ key: 'file:/tmp/iios-x/stick.img', text: 'stick.img' });
    expect(placeOf({ devicePath: null, backingFile: null })).toBeNull();
    expect(placeText(usb, { 'pci-0000:00:14.0/1.4': 'left hub, 4' })).toBe('left hub, 4');
    expect(placeText(loop, { 'file:/tmp/iios-x/stick.img': 'Tisch 3' })).toBe('Tisch 3');
    expect(placeText(loop, {})).toBe('stick.img');
  });

  it('tells a drive apart by the name of its place', () => {
    const drive = { id: '/dev/loop9', device: '/dev/loop9', devicePath: null, description: 'loop', sizeBytes: 1, logicalBlockSize: 512, physicalBlockSize: 512, busType: 'LOOP', removable: false, readOnly: false, system: false, virtual: true, usb: false, card: false, backingFile: '/tmp/iios-x/stick.img', mountpoints: [], partitionTableType: null };
    expect(driveDistinction(drive)).toBe('stick.img');
    expect(driveDistinction(drive, { 'file:/tmp/iios-x/stick.img': 'Tisch 3' })).toBe('Tisch 3');
  });
});
