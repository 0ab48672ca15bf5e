// @vitest-environment jsdom
// The cache step over fake services: the sets listed with their kinds and "never built", Next held until the
// chosen set is built, a build from the page, per stick whether the set fits (and the size a stick needs when
// it does not), the set's file in the write request; the build's steps and what it brought, in German; plain cache
// folders still offered.
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../../src-shared/i18n/index.ts';
import { planLayout } from '../../../src-shared/layout/index.ts';
import { builtInProfiles, demoManifest } from './support/fake-services.ts';
import { isDisabled } from './support/dom.ts';
import { setupWizard } from './support/harness.tsx';
import { stick } from './support/fixtures.ts';
import { next, tick, toTargets } from './support/steps.ts';

afterEach(cleanup);

const GB = 1000 ** 3;
const lab = {
  id: 'lab',
  title: 'Lab software',
  file: '/home/teacher/.config/iios/cache-sets/lab.yaml',
  kinds: [
    { kind: 'apt' as const, sizeBytes: null, files: null, builtAt: null },
    { kind: 'files' as const, sizeBytes: null, files: null, builtAt: null },
  ],
  builtBytes: 0,
  builtFiles: 0,
  complete: false,
};

async function toCaches(services: NonNullable<Parameters<typeof setupWizard>[0]>['services'] = {}) {
  const w = setupWizard({ services: { cacheSets: [structuredClone(lab)], ...services } });
  await toTargets(w.user, w.store);
  await tick(w.user, stick.device);
  await next(w.user, w.store, 'options');
  await next(w.user, w.store, 'caches');
  return w;
}

const nextButton = () => screen.getByRole('button', { name: /^Next:/ });

describe('cache step', () => {
  it('lists a set never built, holds Next until it is built, then shows it fits and names it in the request', async () => {
    const { user, store, fake } = await toCaches({ cacheSetKindBytes: 300 * 1024 ** 2 });
    const item = await waitFor(() => document.querySelector('[data-cache-set="lab"]') as HTMLElement);
    expect(within(item).getAllByText('never built')).toHaveLength(2);
    expect(within(item).getByTestId('cache-set-state').textContent).toBe('Never built');
    // no set is the default: Next is open
    expect(isDisabled(nextButton())).toBe(false);
    await user.click(within(item).getByRole('radio', { name: /Lab software/ }));
    expect(isDisabled(nextButton())).toBe(true);
    expect(screen.getByRole('status').textContent).toBe('Build the cache set Lab software first (or choose no cache set).');
    await user.click(within(item).getByRole('button', { name: 'Build' }));
    await waitFor(() => expect(within(item).getByTestId('cache-set-state').textContent).toMatch(/^629 MB in all, last built /));
    expect(within(item).getByRole('button', { name: 'Refresh' })).toBeTruthy();
    const fit = await screen.findByRole('list', { name: 'Room for Lab software on each stick' });
    expect(fit.querySelector(`[data-target="${stick.device}"]`)?.getAttribute('data-fit')).toBe('fits');
    expect(isDisabled(nextButton())).toBe(false);
    await store.getState().startFlash();
    expect(fake.calls.find((c) => c.channel === 'jobs.start')?.args).toMatchObject({ cacheSet: lab.file });
  });

  it('plans an A/B stick for the chosen set: the slots grow only into what the caches leave, as the write lays it out', async () => {
    const { user, store, fake } = await toCaches({ cacheSetKindBytes: 14 * GB });
    const item = await waitFor(() => document.querySelector('[data-cache-set="lab"]') as HTMLElement);
    const rootA = () => {
      const e = store.getState().plans[stick.id];
      return e?.status === 'ok' ? e.plan.partitions.find((p) => p.role === 'root-a')!.sizeBytes : null;
    };
    const appliance = builtInProfiles().find((p) => p.id === 'appliance')!;
    const bare = planLayout(appliance, demoManifest, stick.sizeBytes).partitions.find((p) => p.role === 'root-a')!.sizeBytes;
    expect(rootA()).toBe(bare);
    await user.click(within(item).getByRole('radio', { name: /Lab software/ }));
    await user.click(within(item).getByRole('button', { name: 'Build' }));
    await waitFor(() => expect(document.querySelector(`[data-target="${stick.device}"]`)?.getAttribute('data-fit')).toBe('fits'));
    const content = { bytes: 2 * 14 * GB, files: 2 };
    const kept = planLayout(appliance, demoManifest, stick.sizeBytes, { caches: content });
    // the set is big enough to hold the slots back on this stick
    expect(kept.partitions.find((p) => p.role === 'root-a')!.sizeBytes).toBeLessThan(bare);
    await waitFor(() => expect(rootA()).toBe(kept.partitions.find((p) => p.role === 'root-a')!.sizeBytes));
    expect(fake.calls.filter((c) => c.channel === 'plan.compute').at(-1)?.args).toMatchObject({ caches: content });
    // no set again: the slots take the room back
    await user.click(screen.getByRole('radio', { name: /No cache set/ }));
    await waitFor(() => expect(rootA()).toBe(bare));
  });

  it('says a stick is too small for the set, with the size it needs, and holds Next', async () => {
    const { user } = await toCaches({ cacheSetKindBytes: 20 * GB });
    const item = await waitFor(() => document.querySelector('[data-cache-set="lab"]') as HTMLElement);
    await user.click(within(item).getByRole('radio', { name: /Lab software/ }));
    await user.click(within(item).getByRole('button', { name: 'Build' }));
    const row = await waitFor(() => {
      const r = document.querySelector(`[data-target="${stick.device}"]`);
      expect(r?.getAttribute('data-fit')).toBe('too-small');
      return r!;
    });
    expect(row.textContent).toMatch(/Does not fit: 32\.0 GB stick, needs at least 43\.0 GB/);
    expect(isDisabled(nextButton())).toBe(true);
    expect(screen.getByRole('status').textContent).toMatch(/is too small for these caches: it needs at least 43\.0 GB\.$/);
  });

  it('refuses, in the store, a second build while one runs and any build while a flash runs', async () => {
    const { store, fake } = await toCaches();
    await waitFor(() => expect(store.getState().cacheSets).toHaveLength(1));
    const builds = () => fake.calls.filter((c) => c.channel === 'cachesets.build').length;
    const first = store.getState().buildCacheSet(lab.file);
    const second = store.getState().buildCacheSet(lab.file);
    await Promise.all([first, second]);
    expect(builds()).toBe(1);
    store.setState({ flashStatus: 'running' });
    await store.getState().buildCacheSet(lab.file);
    expect(builds()).toBe(1);
  });

  it('opens a set from a file the user names: listed with the others and chosen; a file that is no set says why', async () => {
    const elsewhere = { ...structuredClone(lab), id: 'usb', title: 'USB handouts', file: '/media/teacher/usb.yaml' };
    const { user, store } = await toCaches({ otherCacheSets: [elsewhere] });
    await waitFor(() => expect(store.getState().cacheSets).toHaveLength(1));
    const field = screen.getByLabelText('Open a cache-set file');
    await user.type(field, '/media/teacher/nope.yaml{Enter}');
    expect((await screen.findByRole('alert')).textContent).toBe('no cache set /media/teacher/nope.yaml');
    await user.clear(field);
    await user.type(field, elsewhere.file);
    await user.click(screen.getByRole('button', { name: 'Open' }));
    const item = await waitFor(() => document.querySelector('[data-cache-set="usb"]') as HTMLElement);
    expect((within(item).getByRole('radio') as HTMLInputElement).checked).toBe(true);
    expect(store.getState().cacheSetFile).toBe(elsewhere.file);
    expect(screen.queryByRole('alert')).toBeNull();
    // listed again (as it is now) when the sets are read again
    await store.getState().loadCacheSets();
    expect(store.getState().cacheSets?.map((c) => c.id)).toEqual(['lab', 'usb']);
  });

  it('words the build\'s steps from the catalogue and shows what a build brought, in German', async () => {
    const { store } = await toCaches({ cacheSetKindBytes: 64_400 });
    await waitFor(() => expect(store.getState().cacheSets).toHaveLength(1));
    setLocale('de');
    try {
      // the service pushes what it does as data; the line under the bar is the reader's language
      store.setState({ cacheSetBuild: { file: lab.file, id: 'lab', kinds: ['apt', 'files'], kind: null, fraction: 0, step: null } });
      store.getState().applyCacheSetProgress({ set: 'lab', kind: 'apt', fraction: 0.3, step: { step: 'downloading', count: 2, of: 5 } });
      const item = document.querySelector('[data-cache-set="lab"]') as HTMLElement;
      await waitFor(() => expect(within(item).getByTestId('cache-build-what').textContent).toBe('15 % 2 von 5 Paketen werden geladen'));
      store.getState().applyCacheSetProgress({ set: 'lab', kind: 'files', fraction: 1, step: { step: 'done', unit: 'files', count: 12, newCount: 1 } });
      await waitFor(() => expect(within(item).getByTestId('cache-build-what').textContent).toBe('100 % 12 Dateien, 1 neu oder geändert'));
      store.setState({ cacheSetBuild: null });
      // a build that ends shows, per kind, its items, bytes and what was new
      await store.getState().buildCacheSet(lab.file);
      const done = await within(item).findByRole('list', { name: 'Was der Bau von Lab software enthält' });
      expect([...done.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['apt1 Eintrag, 64,4 kBneu: apt-item', 'files1 Eintrag, 64,4 kBneu: files-item']);
      expect(within(item).getByTestId('cache-build-done').textContent).toMatch(/^Bau fertig nach 0 s/);
    } finally {
      setLocale('en');
    }
  });

  it('offers plain cache folders below the sets', async () => {
    const { user, store } = await toCaches({ caches: [{ kind: 'apt', path: '/var/cache/iios/apt', sizeBytes: 1.2e9, files: 812 }] });
    await user.click(await screen.findByRole('checkbox', { name: /apt/ }));
    expect(store.getState().caches).toEqual(['/var/cache/iios/apt']);
  });
});
