// Cache sets for the cache step: the sets of this computer and those the user opened, the one chosen for the
// sticks, and a build with its pushed progress. One build at a time, and none while a flash reads the library:
// both refused here, not only disabled in the page.
import { errorText } from './error-text.ts';
import type { CacheSetsSlice, SliceCreator } from './state.ts';
import type { CacheSetSummary } from './types.ts';

export const createCacheSetsSlice: SliceCreator<CacheSetsSlice> = (set, get, api) => {
  /** Puts a set's fresh summary in place of the old one (by file), or after the others. */
  const put = (summary: CacheSetSummary) => {
    const list = get().cacheSets ?? [];
    const at = list.findIndex((c) => c.file === summary.file);
    set({ cacheSets: at < 0 ? [...list, summary] : list.map((c, i) => (i === at ? summary : c)) });
  };

  return {
    cacheSets: null,
    cacheSetsError: null,
    openedCacheSets: [],
    cacheSetFile: null,
    cacheSetOpening: false,
    cacheSetOpenError: null,
    cacheSetBuild: null,
    cacheSetBuildError: null,
    cacheSetBuildDone: null,

    async loadCacheSets() {
      try {
        const listed = await api.listCacheSets();
        // a set opened from elsewhere stays listed; it is read again for its current state
        const opened: CacheSetSummary[] = [];
        for (const file of get().openedCacheSets) {
          if (listed.some((c) => c.file === file)) continue;
          const again = await api.openCacheSet(file).catch(() => null);
          if (again) opened.push(again);
        }
        set({ cacheSets: [...listed, ...opened], cacheSetsError: null });
        get().refreshPlans(); // a chosen set's size may have changed
      } catch (err) {
        set({ cacheSets: [], cacheSetsError: errorText(err) });
      }
    },

    async openCacheSetFile(path) {
      const file = path.trim();
      if (!file.startsWith('/') || get().cacheSetOpening) return;
      set({ cacheSetOpening: true, cacheSetOpenError: null });
      try {
        const summary = await api.openCacheSet(file);
        put(summary);
        set({ openedCacheSets: [...new Set([...get().openedCacheSets, summary.file])], cacheSetFile: summary.file });
        get().refreshPlans();
      } catch (err) {
        set({ cacheSetOpenError: errorText(err) });
      } finally {
        set({ cacheSetOpening: false });
      }
    },

    chooseCacheSet(file) {
      if (get().flashBusy()) return;
      set({ cacheSetFile: file });
      get().refreshPlans(); // the sticks are planned for the chosen caches
    },

    async buildCacheSet(file) {
      const summary = get().cacheSets?.find((c) => c.file === file);
      if (!summary || get().cacheSetBuild || get().flashBusy()) return;
      set({ cacheSetBuild: { file, id: summary.id, kinds: summary.kinds.map((k) => k.kind), kind: null, fraction: 0, step: null }, cacheSetBuildError: null, cacheSetBuildDone: null });
      try {
        set({ cacheSetBuildDone: { file, kinds: await api.buildCacheSet(file) } });
      } catch (err) {
        set({ cacheSetBuildError: { file, message: errorText(err) } });
      } finally {
        // the sizes and dates as the library now has them, also after a build that failed half-way
        const fresh = await api.openCacheSet(file).catch(() => null);
        if (fresh) put(fresh);
        set({ cacheSetBuild: null });
        get().refreshPlans();
      }
    },

    applyCacheSetProgress(p) {
      const build = get().cacheSetBuild;
      if (!build || build.id !== p.set) return;
      // the whole build's fraction: the kinds before this one done, this one as far as it says
      const index = Math.max(0, build.kinds.indexOf(p.kind));
      const fraction = Math.min(1, (index + Math.min(1, Math.max(0, p.fraction))) / Math.max(1, build.kinds.length));
      set({ cacheSetBuild: { ...build, kind: p.kind, fraction: Math.max(build.fraction, fraction), step: p.step } });
    },
  };
};
