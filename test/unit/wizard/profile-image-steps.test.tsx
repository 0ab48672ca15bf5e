// @vitest-environment jsdom
// Profile cards (what each is for in plain words, the usual choice marked, a to-scale layout picture, the
// technical layout on demand; a radio group the arrow keys move in) and the image step (demo bundle preselected with
// name, version, size and verity root hash; a broken bundle refused with the services' reason; the bundle library listed and chosen from).
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { isDisabled } from './support/dom.ts';
import { setupWizard } from './support/harness.tsx';
import { chooseProfile, next } from './support/steps.ts';

afterEach(cleanup);

describe('profile step', () => {
  it('shows every built-in profile as a card saying what it is for, the usual one marked, and its layout to scale', async () => {
    const { store, user } = setupWizard();
    const cards = await screen.findAllByRole('radio');
    expect(cards.map((c) => c.getAttribute('data-profile'))).toEqual(['classroom', 'appliance', 'kiosk', 'raw']);
    const classroom = screen.getByRole('radio', { name: /Classroom/ });
    expect(classroom.textContent).toMatch(/Students keep their work; reset to factory any time\./);
    expect(cards.filter((c) => /Usual choice/.test(c.textContent ?? '')).map((c) => c.getAttribute('data-profile'))).toEqual(['classroom']);
    const appliance = screen.getByRole('radio', { name: /Appliance/ });
    // plain words on the card; the technical layout only on demand, for the chosen profile
    expect(appliance.textContent).not.toMatch(/dm-verity/);
    expect(screen.queryByTestId('technical-layout')).toBeNull();
    await user.click(appliance);
    const details = screen.getByTestId('technical-layout') as HTMLDetailsElement;
    expect(details.open).toBe(false);
    expect(details.textContent).toMatch(/Immutable A\/B system slots sealed with dm-verity/);
    store.setState({ profileId: null });
    const picture = await within(appliance).findByRole('img');
    // the appliance slots get the 1 GiB they prefer where the stick has room (max(fit + 25%, 1GiB))
    expect(picture.getAttribute('aria-label')).toMatch(/^Layout of 16\.0 GB: EFI 537 MB, root A 1\.1 GB, verity A 9\.4 MB, root B 1\.1 GB, verity B 9\.4 MB, data 13\.3 GB$/);
    // to scale: the data partition takes most of the bar (each slot 1 GiB), the ESP about 3 %
    const widths = [...picture.querySelectorAll<HTMLElement>('.layout-seg')].map((s) => parseFloat(s.style.width));
    expect(widths[0]).toBeCloseTo((512 * 2 ** 20 * 100) / 16e9, 2);
    expect(widths[5]).toBeCloseTo(((16e9 - (512 + 2 * 1024 + 2 * 9 + 2) * 2 ** 20) * 100) / 16e9, 0);
    expect(within(screen.getByRole('radio', { name: /Disk image/ })).getByText(/follows the disk image/)).toBeTruthy();
    expect(isDisabled(screen.getByRole('button', { name: /^Next:/ }))).toBe(true);
    expect(store.getState().profileId).toBeNull();
  });

  it('is chosen with the keyboard alone: one tab stop for the cards, the arrow keys move and choose, then on to Next', async () => {
    const { user, store } = setupWizard();
    await screen.findAllByRole('radio');
    const checked = () => screen.getAllByRole('radio').filter((c) => c.getAttribute('aria-checked') === 'true').map((c) => c.getAttribute('data-profile'));
    screen.getByRole('radio', { name: /Classroom/ }).focus();
    await user.keyboard('{ArrowRight}');
    expect(document.activeElement?.getAttribute('data-profile')).toBe('appliance');
    expect(checked()).toEqual(['appliance']);
    await user.keyboard('{ArrowLeft}{ArrowLeft}'); // wraps around to the last
    expect(checked()).toEqual(['raw']);
    await user.keyboard('{Home}{ArrowDown}');
    expect(checked()).toEqual(['appliance']);
    expect(screen.getAllByRole('radio').map((c) => c.tabIndex)).toEqual([-1, 0, -1, -1]);
    await user.tab(); // out of the group, to the technical layout's disclosure
    expect(document.activeElement?.tagName).toBe('SUMMARY');
    await user.tab(); // Back (to what to do)
    await user.tab(); // Next
    expect(document.activeElement?.textContent).toBe('Next: Image →');
    await user.keyboard(' ');
    expect(store.getState().step).toBe('image');
    // the new step's heading takes the focus
    expect(document.activeElement?.tagName).toBe('H2');
  });

  it('says so when the profiles cannot be loaded', async () => {
    setupWizard({ handlers: { 'profiles.list': () => { throw new Error('resources/profiles/kiosk.yaml: partitions[2].size: "fitt" is not a size'); } } as never });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/The profiles could not be loaded\..*"fitt" is not a size/);
  });
});

describe('image step', () => {
  it('preselects the demo bundle and shows its name, version, size and verity root hash', async () => {
    const { user, store } = setupWizard();
    await chooseProfile(user, /Appliance/);
    await next(user, store, 'image');
    expect((await screen.findByTestId('bundle-name')).textContent).toBe('iios-demo');
    expect(screen.getByText('2026.11.1')).toBeTruthy();
    expect(screen.getByText('16.6 MB')).toBeTruthy();
    expect(screen.getByTestId('root-hash').textContent).toBe('1f22750d13196694e7e3666a61c3fda05edc1e0de409a6c68cada740b138683d');
    expect((screen.getByLabelText('Bundle folder') as HTMLInputElement).value).toBe('/opt/iios/demo-bundle');
    expect(isDisabled(screen.getByRole('button', { name: /^Next:/ }))).toBe(false);
  });

  it('refuses a broken bundle with the reason and what to do, and offers the demo bundle again', async () => {
    const reason = 'bundle /media/usb/lab: root.squashfs has sha256 00ff, manifest.json says e33e';
    const { user, store } = setupWizard({ services: { brokenBundles: { '/media/usb/lab': reason } } });
    await chooseProfile(user, /Appliance/);
    await next(user, store, 'image');
    await screen.findByTestId('bundle-name');
    const field = screen.getByLabelText('Bundle folder');
    await user.clear(field);
    await user.type(field, '/media/usb/lab{Enter}');
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('This bundle is refused.')).toBeTruthy();
    expect(screen.getByTestId('source-error').textContent).toBe(reason);
    expect(alert.textContent).toMatch(/Rebuild or copy the bundle again/);
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByTestId('bundle-name')).toBeNull();
    expect(isDisabled(screen.getByRole('button', { name: /^Next:/ }))).toBe(true);
    expect(screen.getByText('Choose a bundle that passes the check.')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Use the demo bundle' }));
    await waitFor(() => expect(screen.getByTestId('bundle-name').textContent).toBe('iios-demo'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('lists the bundle library with name, version, size, source and where; a refused choice is not kept', async () => {
    const reason = 'bundle /media/pupil/iios-data/@iios/bundles/kiosk-7: root.verity has sha256 00ff, manifest.json says e33e';
    const { user, store } = setupWizard({
      services: {
        brokenBundles: { '/media/pupil/iios-data/@iios/bundles/kiosk-7': reason },
        library: [
          { dir: '/home/t/.local/share/iios/bundles/lab-3', name: 'lab', version: '3', sizeBytes: 812_000_000, source: 'oci-archive:/srv/lab.tar', where: 'library', stick: null },
          { dir: '/opt/iios/demo-bundle', name: 'iios-demo', version: '2026.11.1', sizeBytes: 16_600_000, source: 'resources/demo-os', where: 'demo', stick: null },
          { dir: '/media/pupil/iios-data/@iios/bundles/kiosk-7', name: 'kiosk', version: '7', sizeBytes: 1_200_000_000, source: null, where: 'stick', stick: '/dev/sdb3 at /media/pupil/iios-data' },
        ],
      },
    });
    await chooseProfile(user, /Appliance/);
    await next(user, store, 'image');
    await screen.findByTestId('bundle-name');
    const group = screen.getByRole('group', { name: 'Bundle library' });
    const radios = within(group).getAllByRole('radio');
    expect(radios.map((r) => r.closest('li')!.textContent)).toEqual([
      'lab 3made from oci-archive:/srv/lab.tar · on this computer812 MB',
      'iios-demo 2026.11.1made from resources/demo-os · built in16.6 MB',
      'kiosk 7origin not recorded · on the stick /dev/sdb3 at /media/pupil/iios-data1.2 GB',
    ]);
    expect(radios.map((r) => (r as HTMLInputElement).checked)).toEqual([false, true, false]);

    await user.click(radios[2]!);
    expect(await screen.findByTestId('source-error')).toHaveProperty('textContent', reason);
    await waitFor(() => expect(radios.map((r) => (r as HTMLInputElement).checked)).toEqual([false, false, false]));
    expect(isDisabled(screen.getByRole('button', { name: /^Next:/ }))).toBe(true);

    await user.click(radios[1]!);
    await waitFor(() => expect(screen.getByTestId('bundle-name').textContent).toBe('iios-demo'));
    expect((radios[1] as HTMLInputElement).checked).toBe(true);
  });

  it('refuses a folder that is not a bundle at all', async () => {
    const { user, store } = setupWizard();
    await chooseProfile(user, /Classroom/);
    await next(user, store, 'image');
    await screen.findByTestId('bundle-name');
    const field = screen.getByLabelText('Bundle folder');
    await user.clear(field);
    await user.type(field, '/home/teacher/Downloads');
    await user.click(screen.getByRole('button', { name: 'Check' }));
    expect((await screen.findByTestId('source-error')).textContent).toBe('/home/teacher/Downloads/manifest.json: no such file: not an iios bundle');
  });
});

describe('image step for the raw profile', () => {
  const image = {
    path: '/srv/lab.img.xz', name: 'lab.img.xz', fileBytes: 812e6, compression: 'xz' as const, extension: 'img' as const,
    content: { iso9660: false, partitionTable: 'gpt' as const }, uncompressedBytes: 3 * 2 ** 30, uncompressedExact: true, sizeSource: 'xz-index' as const,
  };

  it('asks for a disk image instead of the demo bundle, shows its uncompressed size, and plans targets from it', async () => {
    const { user, store } = setupWizard({ services: { images: { [image.path]: image } } });
    await chooseProfile(user, /Disk image/);
    await next(user, store, 'image');
    expect(screen.getByRole('heading', { name: 'Which disk image?' })).toBeTruthy();
    expect((screen.getByLabelText('Disk image file') as HTMLInputElement).value).toBe('');
    expect(isDisabled(screen.getByRole('button', { name: /^Next:/ }))).toBe(true);
    await user.type(screen.getByLabelText('Disk image file'), `${image.path}{Enter}`);
    await screen.findByText('xz');
    expect(screen.getByText('3.2 GB')).toBeTruthy();
    await next(user, store, 'targets');
    // the 32 GB stick takes the 3.2 GB image; the 1 GB one cannot
    await waitFor(() => expect(document.querySelector('li.drive[data-device="/dev/sdc"] .drive-reason')?.textContent).toMatch(/^Too small: needs at least 3\.\d GB$/));
    await waitFor(() => expect(isDisabled(document.querySelector('li.drive[data-device="/dev/sdb"] input')!)).toBe(false));
  });

  it('brings the demo bundle back when the user leaves the raw profile without choosing an image', async () => {
    const { user, store } = setupWizard();
    await chooseProfile(user, /Disk image/);
    await next(user, store, 'image');
    expect((screen.getByLabelText('Disk image file') as HTMLInputElement).value).toBe('');
    await user.click(screen.getByRole('button', { name: /^← Back/ }));
    await chooseProfile(user, /Appliance/);
    await next(user, store, 'image');
    expect((await screen.findByTestId('bundle-name')).textContent).toBe('iios-demo');
    expect((screen.getByLabelText('Bundle folder') as HTMLInputElement).value).toBe('/opt/iios/demo-bundle');
  });

  it('refuses a missing image with the reason', async () => {
    const { user, store } = setupWizard();
    await chooseProfile(user, /Disk image/);
    await next(user, store, 'image');
    await user.type(screen.getByLabelText('Disk image file'), '/srv/nope.iso{Enter}');
    expect((await screen.findByTestId('source-error')).textContent).toBe('/srv/nope.iso: no such file');
    expect(screen.getByText('This image cannot be used.')).toBeTruthy();
  });
});
