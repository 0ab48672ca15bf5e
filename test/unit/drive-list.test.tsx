// @vitest-environment jsdom
// The reusable DriveList with drives parsed from captured tool output: the system disk is shown with a
// disabled control and its reason; a loop device can be ticked; the live store follows drives.changed.
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createIiosClient } from '../../src-shared/contract/index.ts';
import { buildDriveList, parseLosetup, parseLsblk, type DrivelistEntry } from '../../src-shared/drives/inventory.ts';
import { DriveList } from '../../src-renderer/drives/DriveList.tsx';
import { useLiveDrives } from '../../src-renderer/drives/live-drives.ts';
import { EventHub } from '../../src-main/services/events.ts';
import { createHandlers } from '../../src-main/services/handlers.ts';
import { createLocalTransport } from '../../src-main/services/local-transport.ts';
import { readFixture } from './fixtures/read-fixture.ts';

afterEach(cleanup);

const drives = buildDriveList(
  readFixture<DrivelistEntry[]>('drives/vm-loops.drivelist.json'),
  parseLsblk(readFixture('drives/vm-loops.lsblk.json')),
  parseLosetup(readFixture('drives/vm-loops.losetup.json')),
);
const rowOf = (device: string) => document.querySelector<HTMLLIElement>(`li.drive[data-device="${device}"]`)!;

describe('DriveList', () => {
  it('marks the system disk and disables it with the reason', () => {
    const toggled: string[] = [];
    render(<DriveList drives={drives} selected={[]} onToggle={(id) => toggled.push(id)} />);
    const vda = rowOf('/dev/vda');
    expect(vda.dataset.system).toBe('true');
    expect(vda.querySelector('input')!.disabled).toBe(true);
    expect(vda.textContent).toContain('System drive');
    expect(vda.textContent).toContain('Not selectable: System drive: it holds the running system');
    fireEvent.click(vda.querySelector('input')!);
    expect(toggled).toEqual([]);
  });

  it('lets a writable loop be ticked, and a read-only one not', () => {
    const toggled: string[] = [];
    render(<DriveList drives={drives} selected={['/dev/loop1']} onToggle={(id) => toggled.push(id)} mode="single" />);
    const loop1 = rowOf('/dev/loop1').querySelector('input')!;
    expect(loop1.type).toBe('radio');
    expect(loop1.checked).toBe(true);
    fireEvent.click(rowOf('/dev/loop2').querySelector('input')!);
    expect(toggled).toEqual(['/dev/loop2']);
    expect(rowOf('/dev/loop3').querySelector('input')!.disabled).toBe(true);
    expect(rowOf('/dev/loop3').textContent).toContain('Read-only');
  });

  it('applies the size rule and can hide virtual drives', () => {
    render(<DriveList drives={drives} selected={[]} onToggle={() => {}} rules={{ requiredBytes: 100e6 }} showVirtual={false} />);
    expect(document.querySelectorAll('li.drive')).toHaveLength(1);
    cleanup();
    render(<DriveList drives={drives} selected={[]} onToggle={() => {}} rules={{ requiredBytes: 100e6 }} />);
    expect(rowOf('/dev/loop1').querySelector('input')!.disabled).toBe(true);
    expect(rowOf('/dev/loop2').querySelector('input')!.disabled).toBe(false);
  });

  it('says so when there are no drives', () => {
    render(<DriveList drives={[]} selected={[]} onToggle={() => {}} />);
    expect(screen.getByText(/No drives found/)).toBeTruthy();
  });
});

describe('live drive store', () => {
  it('loads through drives.list and follows drives.changed', async () => {
    const hub = new EventHub();
    let current = drives;
    const handlers = createHandlers({
      appInfo: () => ({ name: 'iios', version: '0', platform: 'linux', arch: 'x64', elevated: false }),
      drives: { list: async () => current, eject: async () => ({ ejected: false }) },
    });
    const off = useLiveDrives.getState().connect(createIiosClient(createLocalTransport(handlers, hub)));
    await act(async () => {
      await new Promise((r) => setTimeout(r, 10));
    });
    expect(useLiveDrives.getState().drives.map((d) => d.device)).toEqual(drives.map((d) => d.device));
    current = drives.slice(0, 1);
    hub.emit('drives.changed', { drives: current });
    expect(useLiveDrives.getState().drives.map((d) => d.device)).toEqual(['/dev/loop1']);
    off();
    hub.emit('drives.changed', { drives: [] });
    expect(useLiveDrives.getState().drives).toHaveLength(1);
  });
});
