// @vitest-environment jsdom
// The targets step: the live drive list with its badges, disabled drives with their reason, the image file.
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { description, isDisabled } from './support/dom.ts';
import { setupWizard } from './support/harness.tsx';
import { stick, tinyStick } from './support/fixtures.ts';
import { next, tick, toTargets } from './support/steps.ts';

afterEach(cleanup);

const row = (device: string) => document.querySelector<HTMLLIElement>(`li.drive[data-device="${device}"]`);

describe('targets step', () => {
  it('hides system and virtual drives until "show all drives", and never lets the system drive be chosen', async () => {
    const { user, store } = setupWizard();
    await toTargets(user, store);
    await waitFor(() => expect(row('/dev/sdb')).not.toBeNull());
    expect(row('/dev/nvme0n1')).toBeNull();
    expect(row('/dev/loop7')).toBeNull();
    screen.getByText('2 system or virtual drives hidden');

    await user.click(screen.getByRole('checkbox', { name: 'Show all drives' }));
    const system = row('/dev/nvme0n1')!;
    expect(system.dataset.system).toBe('true');
    within(system).getByText('System drive');
    expect(isDisabled(within(system).getByRole('checkbox'))).toBe(true);
    expect(system.querySelector('.drive-reason')!.textContent).toMatch(/System drive/);
    const loop = row('/dev/loop7')!;
    within(loop).getByText('Virtual');
    within(loop).getByText(/over \/tmp\/iios-test\.img/);
    await waitFor(() => expect(isDisabled(within(loop).getByRole('checkbox'))).toBe(false));
  });

  it('shows a too-small stick disabled with the size it needs, and a read-only card disabled with what to do', async () => {
    const { user, store } = setupWizard();
    await toTargets(user, store);
    await waitFor(() => expect(row(tinyStick.device)!.querySelector('.drive-reason')).not.toBeNull());
    const tiny = row(tinyStick.device)!;
    expect(isDisabled(within(tiny).getByRole('checkbox'))).toBe(true);
    within(tiny).getByText('Too small');
    expect(tiny.querySelector('.drive-reason')!.textContent).toBe('Too small: needs at least 1.6 GB');
    expect(description(within(tiny).getByRole('checkbox'))).toBe('Too small: needs at least 1.6 GB');

    const card = row('/dev/sdd')!;
    expect(isDisabled(within(card).getByRole('checkbox'))).toBe(true);
    expect(card.querySelector('.drive-reason')!.textContent).toMatch(/Read-only: check the lock switch/);
  });

  it('keeps a mounted drive unselectable until it is unmounted from iios; warns about one over 128 GB', async () => {
    const { user, store } = setupWizard();
    await toTargets(user, store);
    const big = () => row('/dev/sde')!;
    await waitFor(() => within(big()).getByText('Over 128 GB'));
    expect(within(big()).getByText('Over 128 GB').classList.contains('warn')).toBe(true);
    expect(within(big()).getByText('Mounted').getAttribute('title')).toBe('Mounted at /media/teacher/WD: unmount it first');
    expect(isDisabled(within(big()).getByRole('checkbox'))).toBe(true);
    within(big()).getByText('2.0 TB');
    await user.click(within(big()).getByRole('button', { name: 'Unmount WD Elements, 2.0 TB' }));
    await waitFor(() => expect(isDisabled(within(big()).getByRole('checkbox'))).toBe(false));
    expect(within(big()).queryByText('Mounted')).toBeNull();
    await tick(user, '/dev/sde');
    expect(store.getState().selectedDrives).toEqual(['/dev/sde']);
  });

  it('selects all choosable drives at once, and none', async () => {
    const { user, store } = setupWizard();
    await toTargets(user, store);
    await waitFor(() => expect(isDisabled(within(row(stick.device)!).getByRole('checkbox'))).toBe(false));
    await user.click(screen.getByRole('button', { name: 'Select all' }));
    // the too-small stick, the locked card and the mounted disk are left out
    expect(store.getState().selectedDrives).toEqual([stick.device]);
    await user.click(screen.getByRole('button', { name: 'Select none' }));
    expect(store.getState().selectedDrives).toEqual([]);
  });

  it('follows the live list: a pulled stick leaves the list and the selection, a new one appears', async () => {
    const { user, store, fake } = setupWizard();
    await toTargets(user, store);
    await tick(user, stick.device);
    expect(isDisabled(screen.getByRole('button', { name: /^Next:/ }))).toBe(false);

    act(() => fake.emit('drives.changed', { drives: [tinyStick] }));
    expect(row(stick.device)).toBeNull();
    expect(store.getState().selectedDrives).toEqual([]);
    expect(isDisabled(screen.getByRole('button', { name: /^Next:/ }))).toBe(true);
    screen.getByText('Tick at least one drive or the image file.');

    act(() => fake.emit('drives.changed', { drives: [tinyStick, { ...stick, device: '/dev/sdf', id: '/dev/sdf', description: 'Verbatim Store' }] }));
    within(row('/dev/sdf')!).getByText(/^Verbatim Store/);
  });

  it('selects several targets by keyboard alone (Tab to a checkbox, Space)', async () => {
    const { user, store } = setupWizard();
    await toTargets(user, store);
    await user.click(within(row('/dev/sde')!).getByRole('button', { name: /^Unmount/ }));
    await waitFor(() => expect(isDisabled(within(row('/dev/sde')!).getByRole('checkbox'))).toBe(false));
    within(row(stick.device)!).getByRole('checkbox').focus();
    await user.keyboard(' ');
    await user.tab(); // skips the disabled tiny stick and the locked card
    expect(document.activeElement).toBe(within(row('/dev/sde')!).getByRole('checkbox'));
    await user.keyboard(' ');
    expect(store.getState().selectedDrives).toEqual(['/dev/sdb', '/dev/sde']);
  });

  it('offers an image file with path and size; a file too small for the profile says so', async () => {
    const { user, store } = setupWizard({ services: { drives: [] } });
    await toTargets(user, store);
    await user.click(screen.getByRole('checkbox', { name: 'Write to an .img file' }));
    screen.getByText('Give the image file a full path (starting with /).');
    // the helper's rule for names and places, shown before anything is asked of the user
    await user.type(screen.getByLabelText('Image file path'), '/etc/class.img');
    await screen.findByText(/inside \/etc, a system folder/);
    await user.clear(screen.getByLabelText('Image file path'));
    await user.type(screen.getByLabelText('Image file path'), '/srv/class');
    await screen.findByText(/must be named \*\.img or \*\.raw/);
    await user.clear(screen.getByLabelText('Image file path'));
    await user.type(screen.getByLabelText('Image file path'), '/srv/class.img');
    const size = screen.getByLabelText('Size (GB)');
    await user.clear(size);
    await user.type(size, '1');
    await screen.findByText('Too small: this image needs at least 1.6 GB.');
    await user.clear(size);
    await user.type(size, '4');
    await next(user, store, 'options');
    expect(store.getState().imageTarget).toEqual({ enabled: true, path: '/srv/class.img', sizeBytes: 4e9 });
  });
});
