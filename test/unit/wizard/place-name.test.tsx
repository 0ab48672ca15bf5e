// @vitest-environment jsdom
// A stick's place in the rows: the targets row shows the name the teacher gave its USB port (the raw port stays
// in the line under the drive's name), Rename saves a new one through drives.setPortLabel, Forget name goes back
// to "port 1.4"; the flash rows name the same place, so the failed stick is found in the hub.
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setupWizard } from './support/harness.tsx';
import { drive } from './support/fixtures.ts';
import { next, tick, toTargets } from './support/steps.ts';

afterEach(cleanup);

const KEY = 'pci-0000:00:14.0/1.4';
const hubStick = drive({ device: '/dev/sdf', description: 'Intenso Speed Line', devicePath: '/dev/disk/by-path/pci-0000:00:14.0-usb-0:1.4:1.0-scsi-0:0:0:0' });

const rowOf = (device: string) => document.querySelector<HTMLElement>(`li.drive[data-device="${device}"]`)!;

describe('the place a stick is plugged in', () => {
  it('shows the port’s name, renames it, forgets it, and names it in the flash row', async () => {
    const w = setupWizard({ services: { drives: [hubStick], portLabels: { [KEY]: 'left hub, 4' } } });
    await toTargets(w.user, w.store);
    await waitFor(() => expect(within(rowOf(hubStick.device)).getByTestId('place-name').textContent).toBe('left hub, 4'));
    // the raw port is still said under the name
    expect(rowOf(hubStick.device).querySelector('.sub')!.textContent).toMatch(/^port 1\.4/);

    await w.user.click(within(rowOf(hubStick.device)).getByRole('button', { name: /^Rename: the place of Intenso Speed Line/ }));
    const field = within(rowOf(hubStick.device)).getByRole('textbox', { name: 'Name for port 1.4' });
    expect(document.activeElement).toBe(field);
    await w.user.clear(field);
    await w.user.type(field, 'right hub, 2{Enter}');
    await waitFor(() => expect(within(rowOf(hubStick.device)).getByTestId('place-name').textContent).toBe('right hub, 2'));
    expect(w.services.portLabels).toEqual({ [KEY]: 'right hub, 2' });

    await w.user.click(within(rowOf(hubStick.device)).getByRole('button', { name: /^Rename/ }));
    await w.user.click(within(rowOf(hubStick.device)).getByRole('button', { name: 'Forget name' }));
    await waitFor(() => expect(within(rowOf(hubStick.device)).getByTestId('place-name').textContent).toBe('port 1.4'));
    expect(w.services.portLabels).toEqual({});

    act(() => void w.store.getState().renamePlace(KEY, 'Tisch 7'));
    await tick(w.user, hubStick.device);
    await next(w.user, w.store, 'options');
    await next(w.user, w.store, 'caches');
    await next(w.user, w.store, 'review');
    await w.user.type(screen.getByLabelText(/type the number of targets/), '1');
    await w.user.click(screen.getByRole('button', { name: 'Erase and flash 1 target' }));
    await waitFor(() => expect(w.store.getState().step).toBe('flash'));
    await waitFor(() => expect(screen.getByTestId('row-place').textContent).toMatch(/^Tisch 7/));
  }, 30_000);
});
