// Renders the whole wizard over a fake window.iios (see fake-iios.ts) with a fresh store per test, and
// offers the in-memory services the handlers use so each test can shape what the services answer.
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createIiosClient } from '../../../../src-shared/contract/index.ts';
import type { Handlers } from '../../../../src-main/services/handlers.ts';
import { createWizardApi } from '../../../../src-renderer/store/api.ts';
import { WizardStoreProvider } from '../../../../src-renderer/store/context.tsx';
import { createWizardStore } from '../../../../src-renderer/store/store.ts';
import { Wizard } from '../../../../src-renderer/wizard/Wizard.tsx';
import { createFakeIios } from './fake-iios.ts';
import { bigDisk, lockedCard, loop, stick, systemDisk, tinyStick, type Snapshot } from './fixtures.ts';
import { createServiceHandlers, type FakeServices } from './fake-services.ts';

export interface SetupOptions {
  services?: Partial<FakeServices>;
  handlers?: Partial<Handlers>;
  /** Open on the first step (what to do); by default the tests of the write flow start at its profile step. */
  atStart?: boolean;
}

export function defaultDrives() {
  return [systemDisk, stick, tinyStick, lockedCard, bigDisk, loop];
}

export function setupWizard(opts: SetupOptions = {}) {
  const services = createFakeServicesState(opts.services);
  const fake = createFakeIios({ ...createServiceHandlers(services), ...opts.handlers } as Handlers);
  window.iios = fake.transport;
  const store = createWizardStore(createWizardApi(createIiosClient(window.iios)), { initialStep: opts.atStart ? 'start' : 'profile' });
  const disconnect = store.getState().connect();
  const user = userEvent.setup();
  const view = render(
    <WizardStoreProvider store={store}>
      <Wizard />
    </WizardStoreProvider>,
  );
  return { fake, store, services, user, view, disconnect };
}

function createFakeServicesState(overrides: Partial<FakeServices> = {}): FakeServices {
  return {
    drives: defaultDrives(),
    caches: [],
    cacheSets: [],
    cacheSetKindBytes: 1000,
    job: null as Snapshot | null,
    brokenBundles: {},
    images: {},
    sticks: {},
    clones: [],
    portLabels: {},
    ...overrides,
  };
}
