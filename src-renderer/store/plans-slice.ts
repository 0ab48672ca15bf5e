// Partition plans: one per candidate target (every listed drive and the image file, so a too-small drive is
// shown disabled with the size it needs before anyone ticks it) and one preview per profile card.
import { plannedCaches } from './cache-selectors.ts';
import { errorText } from './error-text.ts';
import { IMAGE_FILE_KEY, sourceLocation } from './selection-slice.ts';
import type { PlanEntry, PlansSlice, SliceCreator } from './state.ts';

/** Size the profile cards' pictures are drawn for: a common 16 GB stick. */
export const PREVIEW_BYTES = 16 * 1000 ** 3;

export const createPlansSlice: SliceCreator<PlansSlice> = (set, get, api) => {
  function compute(bucket: 'plans' | 'previews', target: string, profileId: string, bytes: number): void {
    const source = get().source;
    if (!source) return;
    // The targets' plans follow the persistence choice (raw); the profile cards show each profile's own default.
    const persistence = bucket === 'plans' ? (get().persistence ?? undefined) : undefined;
    // The targets' plans keep the chosen caches' room (A/B slots grow only into what they leave).
    const caches = bucket === 'plans' ? plannedCaches(get()) : null;
    const key = `${profileId}|${sourceLocation(source)}|${bytes}|${String(persistence)}|${caches ? `${caches.bytes}/${caches.files}` : '-'}`;
    const existing = get()[bucket][target];
    if (existing && existing.key === key) return;
    const put = (entry: PlanEntry) => {
      // Ignore an answer for inputs that changed while it was computed.
      const now = get()[bucket][target];
      if (now && now.key !== key) return;
      set({ [bucket]: { ...get()[bucket], [target]: entry } } as Partial<PlansSlice>);
      // A station waits for a new stick's plan before deciding on it.
      if (bucket === 'plans') get().stationLookAtDrives();
    };
    set({ [bucket]: { ...get()[bucket], [target]: { status: 'loading', key } } } as Partial<PlansSlice>);
    api.computePlan(profileId, source, bytes, { ...(persistence === undefined ? {} : { persistence }), ...(caches ? { caches } : {}) }).then(
      (r) => put(r.ok ? { status: 'ok', key, plan: r.plan } : { status: 'error', key, reason: r.reason, minBytes: r.minBytes }),
      (err: unknown) => put({ status: 'error', key, reason: errorText(err), minBytes: null }),
    );
  }

  return {
    plans: {},
    previews: {},
    refreshPlans() {
      // The image file's folder follows the same inputs (its path and size, the source's bytes).
      void get().checkImageFolder();
      const { profileId, drives, imageTarget, source } = get();
      if (!profileId || !source) {
        set({ plans: {} });
        return;
      }
      const keep = new Set(drives.map((d) => d.id));
      if (imageTarget.enabled) keep.add(IMAGE_FILE_KEY);
      set({ plans: Object.fromEntries(Object.entries(get().plans).filter(([k]) => keep.has(k))) });
      for (const d of drives) if (!d.system && d.sizeBytes > 0) compute('plans', d.id, profileId, d.sizeBytes);
      if (imageTarget.enabled && imageTarget.sizeBytes > 0) compute('plans', IMAGE_FILE_KEY, profileId, imageTarget.sizeBytes);
    },
    refreshPreviews() {
      for (const p of get().profiles) {
        if (get().source?.kind === (p.source === 'image' ? 'image' : 'bundle')) compute('previews', p.id, p.id, PREVIEW_BYTES);
      }
    },
  };
};
