// What the user chose: profile, source (bundle or image), targets, names, payload files and caches.
// "Flash more" keeps all of it; only the job is reset.
import { t } from '../../src-shared/i18n/index.ts';
import { errorText } from './error-text.ts';
import type { SelectionSlice, SliceCreator } from './state.ts';
import type { SourceView } from './types.ts';

export const IMAGE_FILE_KEY = 'image-file';
const GB = 1000 ** 3;

export const createSelectionSlice: SliceCreator<SelectionSlice> = (set, get, api) => ({
  profiles: [],
  profilesError: null,
  profileId: null,
  defaultSource: null,
  source: null,
  sourcePath: '',
  sourceLoading: false,
  sourceError: null,
  library: null,
  libraryError: null,
  selectedDrives: [],
  imageTarget: { enabled: false, path: '', sizeBytes: 8 * GB },
  namePattern: 'class-{nn}',
  firstNumber: 1,
  persistence: null,
  capacityCheck: false,
  payload: [],
  availableCaches: null,
  cachesError: null,
  caches: [],

  async loadProfiles() {
    try {
      set({ profiles: await api.listProfiles(), profilesError: null });
      get().refreshPreviews();
    } catch (err) {
      set({ profilesError: errorText(err) });
    }
  },
  async loadDefaultSource() {
    set({ sourceLoading: true });
    try {
      const source = await api.defaultBundle();
      // The user may have typed another path meanwhile; only fill in what is still empty.
      if (get().source === null && get().sourcePath === '') {
        set({ source, defaultSource: source, sourcePath: source ? sourceLocation(source) : '', sourceError: null });
      } else {
        set({ defaultSource: source });
      }
    } catch (err) {
      set({ sourceError: t('source.demoFailed', { error: errorText(err) }) });
    } finally {
      set({ sourceLoading: false });
      get().refreshPreviews();
      get().refreshPlans();
    }
  },
  async loadLibrary() {
    try {
      set({ library: await api.listLibrary(), libraryError: null });
    } catch (err) {
      set({ library: [], libraryError: errorText(err) });
    }
  },
  async loadCaches() {
    try {
      set({ availableCaches: await api.listCaches(), cachesError: null });
    } catch (err) {
      set({ availableCaches: [], cachesError: errorText(err) });
    }
  },
  chooseProfile(id) {
    if (get().profileId === id) return;
    const profile = get().profiles.find((p) => p.id === id);
    const had = get().profiles.find((p) => p.id === get().profileId)?.source ?? 'bundle';
    set({ profileId: id, persistence: null });
    // A raw profile writes a disk image, the others a bundle: drop a source of the wrong kind, and coming back
    // from raw with no image chosen, bring the demo bundle back.
    const source = get().source;
    const wants = profile?.source ?? 'bundle';
    if (source ? source.kind !== wants : had !== wants) {
      const fallback = wants === 'bundle' ? get().defaultSource : null;
      set({ source: fallback, sourcePath: fallback ? sourceLocation(fallback) : '', sourceError: null });
    }
    if (!profile?.payload) set({ payload: [] });
    get().refreshPlans();
  },
  setSourcePath(path) {
    set({ sourcePath: path });
  },
  async inspectSource(path = get().sourcePath) {
    const trimmed = path.trim();
    if (!trimmed) {
      set({ sourceError: t('source.typePath') });
      return;
    }
    const wants = get().profiles.find((p) => p.id === get().profileId)?.source ?? 'bundle';
    set({ sourceLoading: true, sourceError: null, sourcePath: trimmed });
    try {
      const source = await api.inspectSource(trimmed, wants);
      set({ source });
    } catch (err) {
      // A refused bundle is not kept: the job can only start from a source that passed inspection.
      set({ source: null, sourceError: errorText(err) });
    } finally {
      set({ sourceLoading: false });
      get().refreshPlans();
      get().refreshPreviews();
    }
  },
  toggleDrive(id, on) {
    const current = get().selectedDrives;
    if (on && !current.includes(id)) set({ selectedDrives: [...current, id] });
    if (!on) set({ selectedDrives: current.filter((d) => d !== id) });
    get().refreshPlans();
  },
  selectDrives(ids) {
    set({ selectedDrives: [...new Set(ids)] });
    get().refreshPlans();
  },
  setImageTarget(patch) {
    set({ imageTarget: { ...get().imageTarget, ...patch } });
    get().refreshPlans();
  },
  setNamePattern(pattern) {
    set({ namePattern: pattern });
  },
  setFirstNumber(first) {
    set({ firstNumber: first });
  },
  setPersistence(on) {
    set({ persistence: on });
    get().refreshPlans();
  },
  setCapacityCheck(on) {
    set({ capacityCheck: on });
  },
  addPayload(path) {
    const p = path.trim();
    if (p && !get().payload.includes(p)) set({ payload: [...get().payload, p] });
  },
  removePayload(path) {
    set({ payload: get().payload.filter((p) => p !== path) });
  },
  toggleCache(id, on) {
    const current = get().caches;
    set({ caches: on ? [...new Set([...current, id])] : current.filter((c) => c !== id) });
    get().refreshPlans();
  },
});

export function sourceLocation(source: SourceView): string {
  return source.kind === 'bundle' ? source.dir : source.path;
}
