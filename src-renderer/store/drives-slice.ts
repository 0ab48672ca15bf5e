// Drives: the live list pushed by the services, and the "show all drives" switch.
import { errorText } from './error-text.ts';
import type { DrivesSlice, SliceCreator } from './state.ts';

export const createDrivesSlice: SliceCreator<DrivesSlice> = (set, get, api) => ({
  drives: [],
  drivesLoaded: false,
  drivesError: null,
  showAllDrives: false,
  async loadDrives() {
    try {
      get().setDrives(await api.listDrives());
    } catch (err) {
      set({ drivesError: errorText(err), drivesLoaded: true });
    }
  },
  setDrives(drives) {
    const ids = new Set(drives.map((d) => d.id));
    // A stick that was pulled leaves the selection with it.
    const selected = get().selectedDrives.filter((id) => ids.has(id));
    set({ drives, drivesLoaded: true, drivesError: null, selectedDrives: selected });
    get().refreshPlans();
    get().stationLookAtDrives();
  },
  unmountError: {},
  async unmountDrive(id) {
    try {
      await api.unmount(id);
      set({ unmountError: Object.fromEntries(Object.entries(get().unmountError).filter(([k]) => k !== id)) });
      await get().loadDrives();
    } catch (err) {
      set({ unmountError: { ...get().unmountError, [id]: errorText(err) } });
    }
  },
  portLabels: {},
  portLabelError: {},
  async loadPortLabels() {
    try {
      set({ portLabels: await api.portLabels() });
    } catch {
      // no names kept in this process: the places show their own words
    }
  },
  async renamePlace(key, label) {
    try {
      const portLabels = await api.setPortLabel(key, label?.trim() ? label.trim() : null);
      set({ portLabels, portLabelError: Object.fromEntries(Object.entries(get().portLabelError).filter(([k]) => k !== key)) });
      return true;
    } catch (err) {
      set({ portLabelError: { ...get().portLabelError, [key]: errorText(err) } });
      return false;
    }
  },
  setShowAllDrives(on) {
    set({ showAllDrives: on });
    if (!on) {
      // Drives that are only visible under "show all" (virtual ones) leave the selection when it is switched off.
      const visible = new Set(get().drives.filter((d) => !d.system && !d.virtual).map((d) => d.id));
      set({ selectedDrives: get().selectedDrives.filter((id) => visible.has(id)) });
      get().refreshPlans();
    }
  },
});
