// Cloning: the source stick (a plugged-in drive, or an image file saved from one) read back by the services,
// and fresh or full copy. The targets, names, review and flash are the write flow's own slices.
import { t } from '../../src-shared/i18n/index.ts';
import { errorText } from './error-text.ts';
import type { CloneSlice, SliceCreator, StickInfoEntry } from './state.ts';

export const createCloneSlice: SliceCreator<CloneSlice> = (set, get, api) => ({
  cloneSourcePath: '',
  cloneSource: null,
  cloneSourceLoading: false,
  cloneSourceError: null,
  cloneFresh: false,
  stickInfos: {},
  readStickInfos(devices) {
    for (const device of devices) {
      const key = String(get().drives.find((d) => d.device === device)?.sizeBytes ?? 0);
      if (get().stickInfos[device]?.key === key) continue;
      const put = (entry: StickInfoEntry) => set({ stickInfos: { ...get().stickInfos, [device]: entry } });
      put({ status: 'loading', key });
      api.inspectStick(device).then(
        (info) => put({ status: 'ok', key, info }),
        (err: unknown) => put({ status: 'error', key, reason: errorText(err) }),
      );
    }
  },
  setCloneSourcePath(path) {
    set({ cloneSourcePath: path });
  },
  async chooseCloneSource(path = get().cloneSourcePath) {
    const trimmed = path.trim();
    if (!trimmed.startsWith('/')) {
      set({ cloneSourceError: t('clone.typePath') });
      return;
    }
    set({ cloneSourcePath: trimmed, cloneSourceLoading: true, cloneSourceError: null, cloneSource: null });
    // The source is never a target: a drive that was ticked as one leaves the selection.
    const asDrive = get().drives.find((d) => d.device === trimmed);
    if (asDrive) set({ selectedDrives: get().selectedDrives.filter((id) => id !== asDrive.id) });
    try {
      const source = await api.inspectStick(trimmed);
      // Another source chosen meanwhile wins.
      if (get().cloneSourcePath === trimmed) set({ cloneSource: source });
    } catch (err) {
      if (get().cloneSourcePath === trimmed) set({ cloneSourceError: errorText(err) });
    } finally {
      if (get().cloneSourcePath === trimmed) set({ cloneSourceLoading: false });
    }
  },
  setCloneFresh(on) {
    set({ cloneFresh: on });
  },
});
