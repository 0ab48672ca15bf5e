// @vitest-environment jsdom
// "Choose…" beside the typed-path fields (image step, image-file target, kiosk payload): shown only when the
// services say native file choosers exist (the Electron window), never in the browser; a chosen path lands
// in the field; a cancelled chooser changes nothing; a chooser that cannot open says why.
import { cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PickPathArgs, PickPathResult } from '../../../src-shared/contract/index.ts';
import type { Handlers } from '../../../src-main/services/handlers.ts';
import { setupWizard } from './support/harness.tsx';
import { DEMO_DIR } from './support/fake-services.ts';
import { stick } from './support/fixtures.ts';
import { chooseProfile, next, tick, toTargets } from './support/steps.ts';

afterEach(cleanup);

/** A desktop whose chooser answers each request with the next queued answer (or cancel when none is left). */
function withChooser(answers: PickPathResult[]) {
  const asked: PickPathArgs[] = [];
  const handlers = {
    'app.info': () => ({ name: 'iios', version: '0.1.0', platform: 'linux', arch: 'x64', transport: 'electron', elevated: false, nativePickers: true }),
    'app.pickPath': (args: PickPathArgs) => {
      asked.push(args);
      return answers.shift() ?? { cancelled: true };
    },
  } as unknown as Partial<Handlers>;
  return { handlers, asked };
}

const chooseButton = () => screen.queryByRole('button', { name: 'Choose…' });
const image = {
  path: '/home/teacher/lab.img.xz', name: 'lab.img.xz', fileBytes: 812e6, compression: 'xz' as const, extension: 'img' as const,
  content: { iso9660: false, partitionTable: 'gpt' as const }, uncompressedBytes: 3 * 2 ** 30, uncompressedExact: true, sizeSource: 'xz-index' as const,
};

describe('Choose… buttons', () => {
  it('are not offered without native choosers (the browser): the typed fields are the only way', async () => {
    const { user, store, fake } = setupWizard();
    await toTargets(user, store, /Kiosk/);
    // the services have answered whether choosers exist (they do not, over the bridge)
    await waitFor(() => expect(fake.calls.some((c) => c.channel === 'app.info')).toBe(true));
    await user.click(screen.getByRole('checkbox', { name: 'Write to an .img file' }));
    expect(screen.getByLabelText('Image file path')).toBeTruthy();
    expect(chooseButton()).toBeNull();
    await user.click(screen.getByRole('button', { name: /^← Back/ }));
    await screen.findByLabelText('Bundle folder');
    expect(chooseButton()).toBeNull();
    expect(store.getState().nativePickers).toBe(false);
    expect(fake.calls.filter((c) => c.channel === 'app.pickPath')).toEqual([]);
  });

  it('image step: a chosen bundle folder lands in the field and is checked; a cancel changes nothing', async () => {
    const chooser = withChooser([{ cancelled: true }, { cancelled: false, paths: ['/media/usb/lab'] }]);
    const { user, store } = setupWizard({ handlers: chooser.handlers, services: { brokenBundles: { '/media/usb/lab': 'bundle /media/usb/lab: root.squashfs is missing' } } });
    await chooseProfile(user, /Appliance/);
    await next(user, store, 'image');
    await screen.findByTestId('bundle-name');
    const field = screen.getByLabelText('Bundle folder') as HTMLInputElement;

    await user.click(await screen.findByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(chooser.asked).toHaveLength(1));
    expect(chooser.asked[0]).toEqual({ mode: 'open-folder', title: 'Choose a bundle folder', defaultPath: DEMO_DIR });
    await waitFor(() => expect(store.getState().picking).toBe(false));
    expect(field.value).toBe(DEMO_DIR);
    expect(store.getState().source?.kind).toBe('bundle');
    expect(screen.queryByRole('alert')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(field.value).toBe('/media/usb/lab'));
    // the chosen folder is checked at once, like a typed one after "Check"
    expect((await screen.findByTestId('source-error')).textContent).toBe('bundle /media/usb/lab: root.squashfs is missing');
  });

  it('image step (raw): a chosen disk image lands in the field and is inspected', async () => {
    const chooser = withChooser([{ cancelled: false, paths: [image.path] }]);
    const { user, store } = setupWizard({ handlers: chooser.handlers, services: { images: { [image.path]: image } } });
    await chooseProfile(user, /Disk image/);
    await next(user, store, 'image');
    await user.click(await screen.findByRole('button', { name: 'Choose…' }));
    await screen.findByText('xz');
    expect((screen.getByLabelText('Disk image file') as HTMLInputElement).value).toBe(image.path);
    expect(chooser.asked[0]).toMatchObject({ mode: 'open-file', title: 'Choose a disk image' });
    expect(chooser.asked[0]!.filters?.[0]?.extensions).toEqual(['img', 'iso', 'raw', 'xz', 'gz', 'zst', 'bz2']);
  });

  it('targets step: saves the image file under a suggested .img name; a cancel keeps the typed path', async () => {
    const chooser = withChooser([{ cancelled: false, paths: ['/home/teacher/class-a.img'] }, { cancelled: true }]);
    const { user, store } = setupWizard({ handlers: chooser.handlers, services: { drives: [] } });
    await toTargets(user, store);
    expect(chooseButton()).toBeNull(); // only with the image file ticked
    await user.click(screen.getByRole('checkbox', { name: 'Write to an .img file' }));
    const field = screen.getByLabelText('Image file path') as HTMLInputElement;

    await user.click(screen.getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(field.value).toBe('/home/teacher/class-a.img'));
    expect(chooser.asked[0]).toEqual({ mode: 'save-file', title: 'Save the stick image as', filters: [{ name: 'Disk image (.img)', extensions: ['img'] }], defaultPath: 'iios-appliance.img' });
    expect(store.getState().imageTarget.path).toBe('/home/teacher/class-a.img');

    // the next chooser starts from the chosen file; cancelling it leaves the field as it was
    await user.click(screen.getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(chooser.asked).toHaveLength(2));
    expect(chooser.asked[1]!.defaultPath).toBe('/home/teacher/class-a.img');
    await waitFor(() => expect(store.getState().picking).toBe(false));
    expect(field.value).toBe('/home/teacher/class-a.img');
    await next(user, store, 'options');
  });

  it('options step (kiosk): every chosen payload file is added once; a cancel adds nothing', async () => {
    const chooser = withChooser([
      { cancelled: false, paths: ['/home/teacher/kiosk/start.html', '/home/teacher/kiosk/logo.png'] },
      { cancelled: true },
      { cancelled: false, paths: ['/home/teacher/kiosk/start.html'] },
    ]);
    const { user, store } = setupWizard({ handlers: chooser.handlers });
    await toTargets(user, store, /Kiosk/);
    await tick(user, stick.device);
    await next(user, store, 'options');
    const choose = screen.getByRole('button', { name: 'Choose…' });
    await user.click(choose);
    await waitFor(() => expect(store.getState().payload).toEqual(['/home/teacher/kiosk/start.html', '/home/teacher/kiosk/logo.png']));
    expect(chooser.asked[0]).toEqual({ mode: 'open-files', title: 'Choose payload files for the kiosk' });
    await user.click(choose);
    await user.click(choose);
    await waitFor(() => expect(chooser.asked).toHaveLength(3));
    await waitFor(() => expect(store.getState().picking).toBe(false));
    expect(store.getState().payload).toEqual(['/home/teacher/kiosk/start.html', '/home/teacher/kiosk/logo.png']);
    expect(screen.getByRole('button', { name: 'Remove /home/teacher/kiosk/logo.png' })).toBeTruthy();
  });

  it('says why when the chooser cannot open, and the typed field still works', async () => {
    const chooser = withChooser([]);
    const handlers = {
      ...chooser.handlers,
      'app.pickPath': () => {
        throw Object.assign(new Error('no native file chooser here: type the path instead'), { code: 'E_UNAVAILABLE' });
      },
    } as unknown as Partial<Handlers>;
    const { user, store } = setupWizard({ handlers, services: { drives: [] } });
    await toTargets(user, store);
    await user.click(screen.getByRole('checkbox', { name: 'Write to an .img file' }));
    await user.click(screen.getByRole('button', { name: 'Choose…' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The file chooser did not open: no native file chooser here: type the path instead');
    await user.type(screen.getByLabelText('Image file path'), '/srv/class.img');
    expect(store.getState().imageTarget.path).toBe('/srv/class.img');
  });
});
