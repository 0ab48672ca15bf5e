// Shortcuts through the wizard for tests that start at a later step: each click is what a user does.
import { screen, waitFor } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { expect } from 'vitest';
import { isDisabled } from './dom.ts';
import { bigDisk, stick } from './fixtures.ts';
import type { WizardStore } from '../../../../src-renderer/store/store.ts';

export async function chooseProfile(user: UserEvent, title: RegExp | string) {
  await user.click(await screen.findByRole('radio', { name: title }));
}

export async function next(user: UserEvent, store: WizardStore, expected: string) {
  const button = await screen.findByRole('button', { name: /^(Next|Weiter):/ });
  await waitFor(() => expect(isDisabled(button)).toBe(false));
  await user.click(button);
  await waitFor(() => expect(store.getState().step).toBe(expected));
}

/** Profile → image (demo bundle) → targets. */
export async function toTargets(user: UserEvent, store: WizardStore, profile: RegExp | string = /Appliance/) {
  await chooseProfile(user, profile);
  await next(user, store, 'image');
  await screen.findByText('iios-demo');
  await next(user, store, 'targets');
}

export async function tick(user: UserEvent, device: string) {
  const row = document.querySelector(`li.drive[data-device="${device}"]`);
  if (!row) throw new Error(`no row for ${device}`);
  // A mounted drive is ticked as a user does it: Unmount first (a mounted drive cannot be ticked).
  const unmount = row.querySelector<HTMLButtonElement>('button[aria-label^="Unmount"]');
  if (unmount) {
    await user.click(unmount);
    await waitFor(() => expect(row.querySelector('button[aria-label^="Unmount"]')).toBeNull());
  }
  const box = row.querySelector('input')!;
  await waitFor(() => expect(isDisabled(box)).toBe(false));
  await user.click(box);
}

/** From the first step to a running job: the appliance profile with the demo bundle onto the stick and the big disk, confirmed. */
export async function flashStickAndBigDisk(user: UserEvent, store: WizardStore) {
  await toTargets(user, store);
  await tick(user, stick.device);
  await tick(user, bigDisk.device);
  await next(user, store, 'options');
  await next(user, store, 'caches');
  await next(user, store, 'review');
  await user.type(screen.getByLabelText(/type the number of targets/), '2');
  await user.click(screen.getByRole('button', { name: 'Erase and flash 2 targets' }));
  await waitFor(() => expect(store.getState().jobId).not.toBeNull());
}
