// The wizard's store: zustand slices (drives, selection, plans, flash, pickers) fed by the services' pushed events.
// Built per API so tests make a fresh store over a fake window.iios; the app builds one over the real one.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createDrivesSlice, type DrivesSlice } from './drives-slice.ts';
import { createFlashSlice, type FlashSlice } from './flash-slice.ts';
import { createPickersSlice, type PickersSlice } from './pickers-slice.ts';
import { createPlansSlice, type PlansSlice } from './plans-slice.ts';
import { createSelectionSlice, type SelectionSlice } from './selection-slice.ts';
import type { WizardApi } from './types.ts';

export const STEPS = ['profile', 'image', 'targets', 'options', 'review', 'flash', 'done'] as const;
export type StepId = (typeof STEPS)[number];

export interface NavSlice {
  step: StepId;
  goTo(step: StepId): void;
  /** Subscribes to pushed events and loads what every step needs; returns the unsubscribe. */
  connect(): () => void;
}

export type WizardState = DrivesSlice & SelectionSlice & PlansSlice & FlashSlice & PickersSlice & NavSlice;
export type WizardStore = StoreApi<WizardState>;
export type SliceCreator<T> = (
  set: StoreApi<WizardState>['setState'],
  get: StoreApi<WizardState>['getState'],
  api: WizardApi,
) => T;

export function createWizardStore(api: WizardApi): WizardStore {
  return createStore<WizardState>()((set, get) => ({
    ...createDrivesSlice(set, get, api),
    ...createSelectionSlice(set, get, api),
    ...createPlansSlice(set, get, api),
    ...createFlashSlice(set, get, api),
    ...createPickersSlice(set, get, api),
    step: 'profile',
    goTo(step) {
      // While a flash runs the wizard stays on the flash step: nothing else may change the job's inputs.
      if (get().flashBusy() && step !== 'flash') return;
      set({ step });
    },
    connect() {
      const offDrives = api.onDrivesChanged((drives) => get().setDrives(drives));
      const offJobs = api.onJobEvent((notice) => get().applyJobNotice(notice));
      void get().loadDrives();
      void get().loadProfiles();
      void get().loadDefaultSource();
      void get().loadCaches();
      void get().resumeJob();
      void get().loadPickers();
      return () => {
        offDrives();
        offJobs();
      };
    },
  }));
}
