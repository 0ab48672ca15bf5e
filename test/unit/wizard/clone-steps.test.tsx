// @vitest-environment jsdom
// The first step (what to do: every mode of the wizard) and the clone flow through it: the plugged-in sticks
// listed as sources with what each holds, the source left out of the targets, names, the review with the
// source's layout, and the clone request the services get.
import { setLocale } from '../../../src-shared/i18n/index.ts';
import { t } from '../../../src-shared/i18n/index.ts';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { StickSource } from '../../../src-shared/contract/domains/sticks.ts';
import { WIZARD_MODES } from '../../../src-renderer/store/modes.ts';
import { isDisabled } from './support/dom.ts';
import { bigDisk, loop, stick } from './support/fixtures.ts';
import { setupWizard } from './support/harness.tsx';
import { next, tick } from './support/steps.ts';

afterEach(cleanup);

const GB = 1000 ** 3;
const classroomStick: StickSource = {
  path: stick.device,
  kind: 'device',
  sizeBytes: stick.sizeBytes,
  iios: { hostname: 'class-03', profile: 'classroom', createdAt: '2026-11-30T09:12:00.000Z', clonedFrom: null },
  usedBytes: 3.2 * GB,
  partitions: [
    { index: 1, name: 'IIOS-ESP', startBytes: 2 ** 20, sizeBytes: 512 * 2 ** 20 },
    { index: 2, name: 'iios-system', startBytes: 513 * 2 ** 20, sizeBytes: stick.sizeBytes - 520 * 2 ** 20 },
  ],
  note: 'an iios stick: each clone is laid out for its own size with the classroom profile it carries',
};
const foreignDisk: StickSource = {
  path: loop.device,
  kind: 'device',
  sizeBytes: loop.sizeBytes,
  iios: null,
  usedBytes: 5 * GB,
  partitions: [{ index: 1, name: '', startBytes: 2 ** 20, sizeBytes: 5 * GB - 2 ** 20 }],
  note: 'not an iios stick: raw clone, 5.0 GB used; each target needs at least that much',
};

function setupClone() {
  return setupWizard({ atStart: true, services: { sticks: { [stick.device]: classroomStick, [loop.device]: foreignDisk } } });
}

describe('the first step', () => {
  it('offers every mode of the wizard, making new sticks chosen; the step bar follows the chosen mode', async () => {
    const { user, store } = setupClone();
    const modes = within(screen.getByRole('radiogroup', { name: 'What to do' })).getAllByRole('radio');
    expect(modes.map((m) => m.querySelector('.card-title')?.textContent)).toEqual(WIZARD_MODES.map((m) => t(m.title)));
    expect(modes.map((m) => m.textContent)).toEqual(expect.arrayContaining([expect.stringMatching(/^Make new sticks/), expect.stringMatching(/^Clone a stick/)]));
    expect(screen.getByRole('radio', { name: /Make new sticks/ }).getAttribute('aria-checked')).toBe('true');
    const bar = () => within(screen.getByRole('navigation', { name: 'Steps' })).getAllByRole('button').map((b) => b.textContent?.replace(/^\d+/, ''));
    expect(bar()).toEqual(['Start', 'Profile', 'Image', 'Targets', 'Options', 'Caches', 'Review', 'Flash', 'Done']);
    await user.click(screen.getByRole('radio', { name: /Clone a stick/ }));
    expect(store.getState().mode).toBe('clone');
    expect(bar()).toEqual(['Start', 'Source', 'Targets', 'Options', 'Review', 'Flash', 'Done']);
    await next(user, store, 'source');
  });
});

describe('cloning a stick', () => {
  it('lists the plugged-in sticks with what each holds, and says why one cannot be read', async () => {
    const { user, store } = setupClone();
    await user.click(screen.getByRole('radio', { name: /Clone a stick/ }));
    await next(user, store, 'source');
    await user.click(screen.getByRole('checkbox', { name: 'Show all drives' }));
    const summaryOf = (device: string) => document.querySelector(`li.drive[data-device="${device}"] [data-testid="source-summary"]`)?.textContent;
    await waitFor(() => expect(summaryOf(stick.device)).toBe('iios stick "class-03" (classroom), made Nov 30, 2026'));
    await waitFor(() => expect(summaryOf(loop.device)).toBe('not an iios stick: raw clone, 5.0 GB used'));
    await waitFor(() => expect(summaryOf(bigDisk.device)).toMatch(/^Cannot be read: .*no partition table/));
    // the system disk is never offered as a source
    expect(document.querySelector('li.drive[data-device="/dev/nvme0n1"]')).toBeNull();
    expect(isDisabled(screen.getByRole('button', { name: /^Next:/ }))).toBe(true);
  });

  it('speaks German on a German system: the source step has no English left', async () => {
    setLocale('de');
    try {
      const { user, store } = setupClone();
      await user.click(screen.getByRole('radio', { name: /Stick klonen/ }));
      await next(user, store, 'source');
      await user.click(screen.getByRole('checkbox', { name: 'Alle Laufwerke zeigen' }));
      const summaryOf = (device: string) => document.querySelector(`li.drive[data-device="${device}"] [data-testid="source-summary"]`)?.textContent;
      await waitFor(() => expect(summaryOf(stick.device)).toBe('iios-Stick „class-03“ (classroom), erstellt am 30.11.2026'));
      await waitFor(() => expect(summaryOf(loop.device)).toBe('kein iios-Stick: Rohkopie, 5,0 GB belegt'));
      expect(screen.getByRole('heading', { name: 'Welchen Stick klonen?' })).toBeTruthy();
      expect(screen.getByText('Oder eine von einem Stick gespeicherte Abbild-Datei')).toBeTruthy();
    } finally {
      setLocale('en');
    }
  });

  it('clones an iios stick fresh onto two targets (the source not among them) and sends the clone request', async () => {
    const { user, store, fake, services } = setupClone();
    await user.click(screen.getByRole('radio', { name: /Clone a stick/ }));
    await next(user, store, 'source');
    const row = await waitFor(() => document.querySelector(`li.drive[data-device="${stick.device}"]`)!);
    await user.click(within(row as HTMLElement).getByRole('radio'));
    expect((await screen.findByTestId('source-name')).textContent).toBe('class-03');
    expect(screen.getByTestId('source-profile').textContent).toBe('classroom');
    await user.click(screen.getByRole('radio', { name: /^Fresh/ }));
    await next(user, store, 'targets');
    // the source is not offered as a target
    expect(document.querySelector(`li.drive[data-device="${stick.device}"]`)).toBeNull();
    await tick(user, bigDisk.device);
    await user.click(screen.getByRole('checkbox', { name: 'Write to an .img file' }));
    await user.type(screen.getByLabelText('Image file path'), '/home/teacher/spare.img');
    await next(user, store, 'options');
    expect(screen.queryByText('Offline caches')).toBeNull();
    expect(screen.getAllByTestId('name-preview').map((n) => n.textContent)).toEqual(['class-01', 'class-02']);
    await next(user, store, 'review');
    expect(screen.getByRole('heading', { level: 2 }).parentElement?.textContent).toMatch(/A fresh clone of class-03 onto 2 targets\./);
    const sourcePicture = within(document.querySelector('[data-review-source]') as HTMLElement).getByRole('img');
    expect(sourcePicture.getAttribute('aria-label')).toMatch(/^Layout of 32\.0 GB: EFI 537 MB, system /);
    await user.type(screen.getByLabelText(/type the number of targets/), '2');
    await user.click(screen.getByRole('button', { name: 'Erase and clone 2 targets' }));
    await waitFor(() => expect(store.getState().step).toBe('flash'));
    expect(services.clones).toEqual([
      {
        sourcePath: stick.device,
        targets: [{ path: bigDisk.device }, { path: '/home/teacher/spare.img', sizeBytes: 8 * GB }],
        namePattern: 'class-{nn}',
        firstNumber: 1,
        fresh: true,
        unmountIfMounted: false,
        verify: true,
      },
    ]);
    expect(fake.calls.some((c) => c.channel === 'jobs.start')).toBe(false);
  });

  it('sends capacityCheck in the clone request when "Check each stick for fake capacity first" is ticked', async () => {
    const { user, store, services } = setupClone();
    await user.click(screen.getByRole('radio', { name: /Clone a stick/ }));
    await next(user, store, 'source');
    const row = await waitFor(() => document.querySelector(`li.drive[data-device="${stick.device}"]`)!);
    await user.click(within(row as HTMLElement).getByRole('radio'));
    await screen.findByTestId('source-name');
    await next(user, store, 'targets');
    await tick(user, bigDisk.device);
    await next(user, store, 'options');
    await user.click(screen.getByRole('checkbox', { name: 'Check each stick for fake capacity first' }));
    await next(user, store, 'review');
    await user.type(screen.getByLabelText(/type the number of targets/), '1');
    await user.click(screen.getByRole('button', { name: 'Erase and clone 1 target' }));
    await waitFor(() => expect(store.getState().step).toBe('flash'));
    expect(services.clones).toMatchObject([{ sourcePath: stick.device, targets: [{ path: bigDisk.device }], capacityCheck: true }]);
  });

  it('refuses, before the review, an image file smaller than a raw source uses', async () => {
    const { user, store } = setupClone();
    await user.click(screen.getByRole('radio', { name: /Clone a stick/ }));
    await next(user, store, 'source');
    await user.click(screen.getByRole('checkbox', { name: 'Show all drives' }));
    const row = await waitFor(() => document.querySelector(`li.drive[data-device="${loop.device}"]`)!);
    await user.click(within(row as HTMLElement).getByRole('radio'));
    await screen.findByText('not an iios stick: raw clone');
    // a raw clone copies the disk as it is: no fresh copy to choose
    expect(screen.queryByRole('radio', { name: /^Fresh/ })).toBeNull();
    await next(user, store, 'targets');
    await user.click(screen.getByRole('checkbox', { name: 'Write to an .img file' }));
    await user.type(screen.getByLabelText('Image file path'), '/home/teacher/small.img');
    const size = screen.getByLabelText('Size (GB)');
    await user.clear(size);
    await user.type(size, '4');
    expect(screen.getByRole('status').textContent).toBe('small.img: a raw clone needs at least 5.0 GB.');
    expect(isDisabled(screen.getByRole('button', { name: /^Next:/ }))).toBe(true);
  });
});
