// The wizard's store: zustand slices (drives, selection, plans, flash, pickers) fed by the services' pushed events.
// Built per API so tests make a fresh store over a fake window.iios; the app builds one over the real one.
import { createStore } from 'zustand/vanilla';
import { createCacheSetsSlice } from './cache-sets-slice.ts';
import { createCloneSlice } from './clone-slice.ts';
import { createDrivesSlice } from './drives-slice.ts';
import { createFlashSlice } from './flash-slice.ts';
import { createImageFolderSlice } from './image-folder-slice.ts';
import { createPickersSlice } from './pickers-slice.ts';
import { createPlansSlice } from './plans-slice.ts';
import { createSelectionSlice } from './selection-slice.ts';
import { createStationSlice } from './station-slice.ts';
import { createUpdateSlice } from './update-slice.ts';
import type { StepId, WizardState, WizardStore } from './state.ts';
import type { WizardApi } from './types.ts';

// The store's shape lives in state.ts, where the slices read it without importing this file.
export { ALL_STEPS, stepsOf, type StepId, type WizardMode, type WizardState, type WizardStore } from './state.ts';

export interface WizardStoreOptions {
  /** The step to open on (default: the first, choosing what to do); tests of a later step start there. */
  initialStep?: StepId;
}

export function createWizardStore(api: WizardApi, options: WizardStoreOptions = {}): WizardStore {
  return createStore<WizardState>()((set, get) => ({
    ...createDrivesSlice(set, get, api),
    ...createSelectionSlice(set, get, api),
    ...createCacheSetsSlice(set, get, api),
    ...createCloneSlice(set, get, api),
    ...createUpdateSlice(set, get, api),
    ...createPlansSlice(set, get, api),
    ...createImageFolderSlice(set, get, api),
    ...createFlashSlice(set, get, api),
    ...createPickersSlice(set, get, api),
    ...createStationSlice(set, get, api),
    mode: 'write',
    step: options.initialStep ?? 'start',
    chooseMode(mode) {
      if (get().flashBusy() || get().mode === mode) return;
      set({ mode });
      get().refreshPlans();
    },
    goTo(step) {
      // While a flash runs the wizard stays on the flash step: nothing else may change the job's inputs.
      if (get().flashBusy() && step !== 'flash') return;
      set({ step });
    },
    connect() {
      const offDrives = api.onDrivesChanged((drives) => get().setDrives(drives));
      const offJobs = api.onJobEvent((notice) => get().applyJobNotice(notice));
      const offCacheSets = api.onCacheSetProgress((p) => get().applyCacheSetProgress(p));
      void get().loadDrives();
      void get().loadPortLabels();
      void get().loadProfiles();
      void get().loadDefaultSource();
      void get().loadLibrary();
      void get().loadCaches();
      void get().loadCacheSets();
      void get().resumeJob();
      void get().loadPickers();
      return () => {
        offDrives();
        offJobs();
        offCacheSets();
      };
    },
  }));
}
