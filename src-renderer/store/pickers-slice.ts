// Native file choosers: whether this renderer has them (the Electron window does, a browser on the bridge
// does not), and one chooser at a time. The typed-path fields stay either way; "Choose…" only fills them.
import type { PickersSlice, SliceCreator } from './state.ts';

export const createPickersSlice: SliceCreator<PickersSlice> = (set, get, api) => ({
  nativePickers: false,
  picking: false,
  async loadPickers() {
    try {
      set({ nativePickers: await api.nativePickers() });
    } catch {
      // Without the answer, assume none: the typed fields always work.
      set({ nativePickers: false });
    }
  },
  async pickPath(request) {
    if (!get().nativePickers || get().picking) return null;
    set({ picking: true });
    try {
      return await api.pickPath(request);
    } finally {
      set({ picking: false });
    }
  },
});
