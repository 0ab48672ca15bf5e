// @vitest-environment jsdom
// The update flow: iios sticks listed with their slots as `iios inspect` has them (a stick that cannot be updated
// says why), the new system (the library's bundle), the review per stick — "A: 1.0 (active) → B: … (will boot
// next)" and whether it fits the slot, with the size needed when it does not (the update cannot start then) —
// and the update request the services get.
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpdateRequest } from '../../../src-shared/contract/domains/jobs.ts';
import type { StickSource } from '../../../src-shared/contract/domains/sticks.ts';
import { initialSnapshot } from '../../../src-main/services/jobs/job-state.ts';
import { planStickJobWork } from '../../../src-shared/progress/work-plan.ts';
import { isDisabled } from './support/dom.ts';
import { DEMO_DIR, demoManifest } from './support/fake-services.ts';
import { loop, stick, tinyStick } from './support/fixtures.ts';
import { setupWizard } from './support/harness.tsx';
import { next, tick } from './support/steps.ts';

afterEach(cleanup);

const MiB = 2 ** 20;
function applianceStick(path: string, hostname: string, slotBytes: number): StickSource {
  return {
    path,
    kind: 'device',
    sizeBytes: 8e9,
    iios: { hostname, profile: 'appliance', createdAt: '2026-11-30T09:12:00.000Z', clonedFrom: null },
    usedBytes: 8e9,
    partitions: [],
    note: 'an iios stick',
    ab: {
      slots: [
        { slot: 'a', bundle: 'iios-demo', version: '1.0', state: 'active', rootBytes: slotBytes, verityBytes: MiB, rootfsBytes: 900_000 },
        { slot: 'b', bundle: 'iios-demo', version: '1.0', state: 'fallback', rootBytes: slotBytes, verityBytes: MiB, rootfsBytes: 900_000 },
      ],
      active: 'a',
      inactive: 'b',
      interrupted: null,
      newest: { bundle: 'iios-demo', version: '1.0', rootfsBytes: 900_000 },
    },
    payload: null,
  };
}
const roomy = applianceStick(stick.device, 'field-01', 265 * MiB);
// written with an older, smaller system: its slots hold 512 KiB, less than the demo bundle's 933,888-byte root image
const cramped = applianceStick(loop.device, 'field-02', 512 * 1024);

function setupUpdate() {
  const updates: UpdateRequest[] = [];
  const harness = setupWizard({
    atStart: true,
    services: { sticks: { [stick.device]: roomy, [loop.device]: cramped } },
    handlers: {
      'jobs.update': (args: UpdateRequest) => {
        updates.push(args);
        const targets = args.targets.map((t, i) => ({ id: `t${i + 1}`, path: t.path, kind: 'device' as const, sizeBytes: 8e9, hostname: '' }));
        harness.services.job = initialSnapshot('update-1', targets, planStickJobWork('update', true));
        return { jobId: 'update-1', targets };
      },
    },
  });
  return { ...harness, updates };
}

describe('updating sticks', () => {
  it('lists iios sticks with their slots, reviews slot and size per stick, and refuses to start what does not fit', async () => {
    const { user, store, updates } = setupUpdate();
    await user.click(screen.getByRole('radio', { name: /Update sticks/ }));
    const bar = () => within(screen.getByRole('navigation', { name: 'Steps' })).getAllByRole('button').map((b) => b.textContent?.replace(/^\d+/, ''));
    expect(bar()).toEqual(['Start', 'Sticks', 'New system', 'Review', 'Flash', 'Done']);
    await next(user, store, 'sticks');

    // the sticks: each read as `iios inspect` reads it
    await user.click(screen.getByRole('checkbox', { name: 'Show all drives' }));
    const row = (device: string) => document.querySelector(`li.drive[data-device="${device}"]`)!;
    await waitFor(() => expect(row(stick.device).querySelector('[data-testid="stick-summary"]')?.textContent).toBe('iios stick "field-01" (appliance)'));
    expect([...row(stick.device).querySelectorAll('[data-slot]')].map((e) => e.textContent)).toEqual(['Slot A: 1.0 (active)', 'Slot B: 1.0 (fallback)']);
    await waitFor(() => expect(row(tinyStick.device).querySelector('[data-testid="stick-summary"]')?.textContent).toMatch(/^Cannot be read: /));
    expect(isDisabled(row(tinyStick.device).querySelector('input')!)).toBe(true);
    expect(screen.getByRole('status').textContent).toBe('Tick at least one iios stick to update.');
    await tick(user, stick.device);
    await tick(user, loop.device);
    await next(user, store, 'system');

    // the new system: the library's bundle
    await user.click(await screen.findByRole('radio', { name: /From the library: iios-demo 2026\.11\.1/ }));
    await waitFor(() => expect(screen.getByTestId('update-version').textContent).toBe('iios-demo 2026.11.1'));
    await next(user, store, 'review');

    // review: which slot gets it, and whether it fits there
    const panel = (device: string) => document.querySelector(`[data-review-target="${device}"]`)!;
    expect(screen.getAllByTestId('slot-change').map((e) => e.textContent)).toEqual([
      'A: 1.0 (active) → B: 2026.11.1 (will boot next)',
      'A: 1.0 (active) → B: 2026.11.1 (will boot next)',
    ]);
    expect(panel(stick.device).querySelector('[data-testid="fit"]')!.textContent).toBe('Slot B holds 278 MB; the new root image is 934 kB: it fits.');
    expect(panel(loop.device).querySelector('[data-testid="fit"]')!.textContent).toBe(
      'Does not fit: slot B holds 524 kB (hash tree 1.0 MB), the new system needs 934 kB (hash tree 1.0 MB). Write this stick again with a larger slot to take it.',
    );
    expect(demoManifest.rootfs.sizeBytes).toBe(933_888);
    const start = () => screen.queryByRole('button', { name: /^Update \d+ sticks?$/ });
    expect(isDisabled(start()!)).toBe(true);
    expect(screen.getByText('A stick above cannot take this system.')).toBeTruthy();

    // without the stick that cannot take it, the update starts: the same request `iios update` sends
    await user.click(screen.getByRole('button', { name: /Sticks$/ }));
    await tick(user, loop.device);
    await user.click(screen.getByRole('button', { name: /Review$/ }));
    await waitFor(() => expect(store.getState().step).toBe('review'));
    expect(isDisabled(start()!)).toBe(false);
    await user.click(start()!);
    await waitFor(() => expect(store.getState().step).toBe('flash'));
    expect(updates).toEqual([{ source: { kind: 'bundle', dir: DEMO_DIR }, targets: [{ path: stick.device }] }]);
    // the row keeps the stick's own name (the update names no new one)
    expect(store.getState().flashTargets.map((t) => [t.path, t.hostname])).toEqual([[stick.device, 'field-01']]);
  });
});

describe('replacing a kiosk stick’s payload', () => {
  const kioskStick: StickSource = {
    ...applianceStick(stick.device, 'kiosk-07', 100 * MiB),
    iios: { hostname: 'kiosk-07', profile: 'kiosk', createdAt: '2026-11-30T09:12:00.000Z', clonedFrom: null },
    ab: null,
    payload: { sizeBytes: 32 * MiB, files: [{ path: '/piece.html', sizeBytes: 2048 }] },
  };

  it('offers kiosk sticks only, one at a time, and sends the files as `iios payload` does', async () => {
    const payloads: unknown[] = [];
    const harness = setupWizard({
      atStart: true,
      services: { sticks: { [stick.device]: kioskStick, [loop.device]: roomy } },
      handlers: {
        'jobs.payload': (args: { target: { path: string }; files: string[] }) => {
          payloads.push(args);
          const targets = [{ id: 't1', path: args.target.path, kind: 'device' as const, sizeBytes: 8e9, hostname: '' }];
          harness.services.job = initialSnapshot('payload-1', targets, planStickJobWork('payload', true));
          return { jobId: 'payload-1', targets };
        },
      },
    });
    const { user, store } = harness;
    await user.click(screen.getByRole('radio', { name: /Replace payload/ }));
    await next(user, store, 'sticks');
    await user.click(screen.getByRole('checkbox', { name: 'Show all drives' }));
    const row = (device: string) => document.querySelector(`li.drive[data-device="${device}"]`)!;
    await waitFor(() => expect(row(stick.device).querySelector('[data-testid="payload-now"]')?.textContent).toBe('Payload now: piece.html (2.0 kB); the partition holds 33.6 MB'));
    // an appliance stick has no payload partition
    await waitFor(() => expect(row(loop.device).querySelector('[data-testid="stick-summary"]')?.textContent).toBe('Its appliance profile has no payload partition.'));
    expect(isDisabled(row(loop.device).querySelector('input')!)).toBe(true);
    await tick(user, stick.device);
    await next(user, store, 'files');
    expect(screen.getByRole('status').textContent).toBe('Add at least one payload file for the kiosk.');
    await user.type(screen.getByLabelText(/payload/i, { selector: 'input' }), '/srv/kiosk/piece-2.html');
    await user.click(screen.getByRole('button', { name: 'Add' }));
    await next(user, store, 'review');
    expect(screen.getByTestId('payload-replaced').textContent).toBe('Replaces the 1 file there now (the partition holds 33.6 MB).');
    await user.click(screen.getByRole('button', { name: 'Replace the payload' }));
    await waitFor(() => expect(store.getState().step).toBe('flash'));
    expect(payloads).toEqual([{ target: { path: stick.device }, files: ['/srv/kiosk/piece-2.html'] }]);
  });
});
