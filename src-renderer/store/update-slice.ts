// Updating sticks: which iios sticks get a new system in their spare A/B slot (plugged-in drives, or image files
// saved from sticks), and the new system: a bundle folder checked by the services, or another iios stick whose
// newest system the helper takes (`iios update --from-stick`). The flash and done steps are the write flow's.
import { t } from '../../src-shared/i18n/index.ts';
import { errorText } from './error-text.ts';
import type { SliceCreator, StickInfoEntry, UpdateSlice } from './state.ts';

export const createUpdateSlice: SliceCreator<UpdateSlice> = (set, get, api) => {
  function readFile(path: string): void {
    const put = (entry: StickInfoEntry) => set({ stickInfos: { ...get().stickInfos, [path]: entry } });
    put({ status: 'loading', key: 'file' });
    api.inspectStick(path).then(
      (info) => put({ status: 'ok', key: 'file', info }),
      (err: unknown) => put({ status: 'error', key: 'file', reason: errorText(err) }),
    );
  }

  return {
    updateTargets: [],
    updateFiles: [],
    updateSource: null,
    updateBundlePath: '',
    updateStickPath: '',
    updateSourceLoading: false,
    updateSourceError: null,
    toggleUpdateTarget(path, on) {
      const current = get().updateTargets;
      if (on && !current.includes(path)) set({ updateTargets: [...current, path] });
      if (!on) set({ updateTargets: current.filter((p) => p !== path) });
    },
    addUpdateFile(path) {
      const p = path.trim();
      if (!p.startsWith('/')) return;
      if (!get().updateFiles.includes(p)) set({ updateFiles: [...get().updateFiles, p] });
      get().toggleUpdateTarget(p, true);
      readFile(p);
    },
    setUpdateBundlePath(path) {
      set({ updateBundlePath: path });
    },
    async chooseUpdateBundle(path = get().updateBundlePath) {
      const dir = path.trim();
      if (!dir.startsWith('/')) {
        set({ updateSourceError: t('update.fullPath') });
        return;
      }
      set({ updateBundlePath: dir, updateStickPath: '', updateSourceLoading: true, updateSourceError: null, updateSource: null });
      try {
        const bundle = await api.inspectSource(dir, 'bundle');
        if (get().updateBundlePath === dir && bundle.kind === 'bundle') set({ updateSource: { kind: 'bundle', bundle } });
      } catch (err) {
        if (get().updateBundlePath === dir) set({ updateSourceError: errorText(err) });
      } finally {
        if (get().updateBundlePath === dir) set({ updateSourceLoading: false });
      }
    },
    async chooseUpdateStick(path) {
      set({ updateBundlePath: '', updateStickPath: path, updateSourceLoading: true, updateSourceError: null, updateSource: null });
      // The source is only read: a stick ticked for the update leaves the list of sticks to update.
      get().toggleUpdateTarget(path, false);
      try {
        const info = await api.inspectStick(path);
        if (!info.ab?.newest) throw new Error(t('update.stickNoSystem', { stick: path }));
        if (get().updateStickPath === path) set({ updateSource: { kind: 'stick', path, info } });
      } catch (err) {
        if (get().updateStickPath === path) set({ updateSourceError: errorText(err) });
      } finally {
        if (get().updateStickPath === path) set({ updateSourceLoading: false });
      }
    },
    rereadStick(path) {
      const { [path]: _gone, ...rest } = get().stickInfos;
      void _gone;
      set({ stickInfos: rest });
      if (get().updateFiles.includes(path)) readFile(path);
      else get().readStickInfos([path]);
    },
  };
};
