// @vitest-environment jsdom
// Two checks of the targets and options steps: an image file in a folder that does not exist is said at once and
// goes no further (not even through the store's startFlash), and the capacity check ticked on the options step
// goes into the write request.
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setupWizard } from './support/harness.tsx';
import { stick } from './support/fixtures.ts';
import { isDisabled } from './support/dom.ts';
import { next, tick, toTargets } from './support/steps.ts';
import { setLocale } from '../../../src-shared/i18n/index.ts';
import { englishIn } from '../../support/untranslated.ts';

afterEach(() => {
  cleanup();
  setLocale('en');
});

describe('the image file folder and the capacity check in the wizard', () => {
  it('an image file in a missing folder: the message at once, Next disabled, startFlash refused; fine once the folder is there', async () => {
    const w = setupWizard({ services: { missingFolders: ['/home/teacher/nope'] } });
    await toTargets(w.user, w.store);
    await w.user.click(screen.getByRole('checkbox', { name: 'Write to an .img file' }));
    await w.user.type(screen.getByLabelText('Image file path'), '/home/teacher/nope/class.img');
    const said = 'The folder /home/teacher/nope does not exist. Create it first, or choose a folder that exists.';
    await waitFor(() => expect(document.querySelector('.image-folder-problem[role="alert"]')?.textContent).toBe(said));
    // and the footer says it as what is missing
    expect(document.querySelector('.app-footer .hint')?.textContent).toBe(said);
    expect(isDisabled(screen.getByRole('button', { name: /^Next:/ }))).toBe(true);
    const r = await act(() => w.store.getState().startFlash());
    expect(r).toEqual({ ok: false, reason: said });
    expect(w.fake.calls.filter((c) => c.channel === 'jobs.start')).toHaveLength(0);

    w.services.missingFolders = [];
    // the step looks at a folder that stood in the way again by itself
    await waitFor(() => expect(document.querySelector('.image-folder-problem')).toBeNull(), { timeout: 5000 });
    await waitFor(() => expect(isDisabled(screen.getByRole('button', { name: /^Next:/ }))).toBe(false));
  });

  it('in a German GUI, says the folder check in German though the services speak English', async () => {
    const w = setupWizard({ services: { missingFolders: ['/home/lehrer/fehlt'] } });
    await toTargets(w.user, w.store);
    await w.user.click(screen.getByRole('checkbox', { name: 'Write to an .img file' }));
    // the GUI speaks German from here on (every text is rendered again from the catalogue as the path is typed)
    setLocale('de');
    await w.user.type(screen.getByLabelText(/^(Image file path|Pfad der Abbild-Datei)$/), '/home/lehrer/fehlt/klasse.img');
    await waitFor(() => expect(document.querySelector('.image-folder-problem[role="alert"]')).not.toBeNull());
    const said = document.querySelector('.image-folder-problem[role="alert"]')!.textContent!;
    expect(said).toBe('Den Ordner /home/lehrer/fehlt gibt es nicht. Legen Sie ihn zuerst an oder wählen Sie einen vorhandenen Ordner.');
    expect(englishIn([said]), said).toEqual([]);
  });

  it('sends capacityCheck when "Check each stick for fake capacity first" is ticked', async () => {
    const w = setupWizard();
    await toTargets(w.user, w.store);
    await tick(w.user, stick.device);
    await next(w.user, w.store, 'options');
    await w.user.click(screen.getByRole('checkbox', { name: 'Check each stick for fake capacity first' }));
    await act(() => w.store.getState().startFlash());
    const call = w.fake.calls.find((c) => c.channel === 'jobs.start')!;
    expect(call.args).toMatchObject({ targets: [{ path: '/dev/sdb' }], capacityCheck: true });
  });
});
