// @vitest-environment jsdom
// Options (name pattern previewed per target, kiosk payload files) and review (layout per target
// to scale, what will be erased where, a deliberate confirmation).
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { isDisabled } from './support/dom.ts';
import { setupWizard } from './support/harness.tsx';
import { bigDisk, loop, stick } from './support/fixtures.ts';
import { next, tick, toTargets } from './support/steps.ts';

afterEach(cleanup);

async function toOptions(opts: Parameters<typeof setupWizard>[0] = {}, profile: RegExp = /Appliance/) {
  const w = setupWizard(opts);
  await toTargets(w.user, w.store, profile);
  await tick(w.user, stick.device);
  await tick(w.user, bigDisk.device);
  await next(w.user, w.store, 'options');
  return w;
}

describe('options step', () => {
  it('previews the name of every target from the pattern and refuses a pattern that repeats names', async () => {
    const { user } = await toOptions();
    expect(screen.getAllByTestId('name-preview').map((n) => n.textContent)).toEqual(['class-01', 'class-02']);
    const field = screen.getByLabelText('Name pattern');
    await user.clear(field);
    await user.type(field, 'lab-{{n}');
    expect(screen.getAllByTestId('name-preview').map((n) => n.textContent)).toEqual(['lab-1', 'lab-2']);
    await user.clear(field);
    await user.type(field, 'kiosk');
    expect(screen.getByRole('alert').textContent).toBe("name pattern 'kiosk' has no {n} or {nn}, so 2 targets would share one name");
    expect(isDisabled(screen.getByRole('button', { name: /^Next:/ }))).toBe(true);
    expect(field.getAttribute('aria-invalid')).toBe('true');
  });

  it('numbers the names from the first number the user gives, and sends it with the request', async () => {
    const { user, store, fake } = await toOptions();
    const first = screen.getByLabelText('First number');
    await user.clear(first);
    await user.type(first, '7');
    expect(screen.getAllByTestId('name-preview').map((n) => n.textContent)).toEqual(['class-07', 'class-08']);
    await store.getState().startFlash();
    expect(fake.calls.find((c) => c.channel === 'jobs.start')?.args).toMatchObject({ namePattern: 'class-{nn}', firstNumber: 7 });
  });

  it('offers the persistence partition for a raw image only, and plans the targets with it', async () => {
    await toOptions();
    expect(screen.queryByRole('checkbox', { name: /persistence/ })).toBeNull();
    cleanup();
    const image = {
      path: '/srv/lab.img', name: 'lab.img', fileBytes: 3 * 2 ** 30, compression: 'none' as const, extension: 'img' as const,
      content: { iso9660: false, partitionTable: 'gpt' as const }, uncompressedBytes: 3 * 2 ** 30, uncompressedExact: true, sizeSource: 'file' as const,
    };
    const { user, store, fake } = setupWizard({ services: { images: { [image.path]: image } } });
    await waitFor(() => expect(store.getState().profiles.length).toBeGreaterThan(0));
    store.getState().chooseProfile('raw');
    await store.getState().inspectSource(image.path);
    store.getState().toggleDrive(stick.id, true);
    store.getState().goTo('options');
    const box = await screen.findByRole('checkbox', { name: /persistence/ });
    expect((box as HTMLInputElement).checked).toBe(false);
    await user.click(box);
    expect(store.getState().persistence).toBe(true);
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'plan.compute' && (c.args as { persistence?: boolean }).persistence === true)).toBe(true));
  });

  it('asks for payload files for a kiosk and not for the others', async () => {
    const { user, store } = await toOptions({}, /Kiosk/);
    expect(screen.getByText('No payload files yet.')).toBeTruthy();
    expect(isDisabled(screen.getByRole('button', { name: /^Next:/ }))).toBe(true);
    expect(screen.getByText('Add at least one payload file for the kiosk.')).toBeTruthy();
    await user.type(screen.getByLabelText(/Payload files/), '/home/teacher/kiosk/start.html{Enter}');
    expect(store.getState().payload).toEqual(['/home/teacher/kiosk/start.html']);
    expect(isDisabled(screen.getByRole('button', { name: /^Next:/ }))).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Remove /home/teacher/kiosk/start.html' }));
    expect(store.getState().payload).toEqual([]);
  });
});

describe('review step', () => {
  it('shows each target with its layout to scale and what will be erased, and needs a deliberate confirmation', async () => {
    const w = setupWizard();
    await toTargets(w.user, w.store);
    await w.user.click(screen.getByRole('checkbox', { name: 'Show all drives' }));
    await tick(w.user, loop.device);
    await tick(w.user, bigDisk.device);
    await w.user.click(screen.getByRole('checkbox', { name: 'Write to an .img file' }));
    await w.user.type(screen.getByLabelText('Image file path'), '/srv/class.img');
    await next(w.user, w.store, 'options');
    await next(w.user, w.store, 'caches');
    await next(w.user, w.store, 'review');

    const panels = [...document.querySelectorAll<HTMLElement>('[data-review-target]')];
    expect(panels.map((p) => p.dataset.reviewTarget)).toEqual(['/dev/sde', '/dev/loop7', '/srv/class.img']);
    const [big, lo, img] = panels as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(big).getByRole('img').getAttribute('aria-label')).toMatch(/^Layout of 2\.0 TB: EFI 537 MB, .* data 2\.0 TB$/);
    expect(big.querySelector('.erase')!.textContent).toBe(
      // it was mounted: ticking it took an Unmount first, so nothing is left to unmount
      'Everything on /dev/sde (WD Elements, 2.0 TB) will be erased.',
    );
    expect(lo.querySelector('.erase')!.textContent).toBe('Everything on /dev/loop7 (Loop device (iios-test.img), 8.0 GB) will be erased.');
    expect(img.querySelector('.erase')!.textContent).toBe('The file /srv/class.img will be created, or replaced if it exists (8.0 GB, sparse).');
    expect(within(img).getByText('class-03')).toBeTruthy();

    const go = screen.getByRole('button', { name: 'Erase and flash 3 targets' });
    expect(isDisabled(go)).toBe(true);
    const count = screen.getByLabelText(/type the number of targets/);
    await w.user.type(count, '2');
    expect(isDisabled(go)).toBe(true);
    await w.user.clear(count);
    await w.user.type(count, '3');
    expect(isDisabled(go)).toBe(false);
    await w.user.keyboard('{Enter}');
    await waitFor(() => expect(w.store.getState().step).toBe('flash'));
    const call = w.fake.calls.find((c) => c.channel === 'jobs.start')!;
    expect(call.args).toMatchObject({
      targets: [{ path: '/dev/sde' }, { path: '/dev/loop7' }, { path: '/srv/class.img', sizeBytes: 8e9 }],
      unmountIfMounted: false,
    });
  });
});
