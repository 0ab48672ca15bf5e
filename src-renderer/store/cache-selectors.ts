// What the cache step shows and whether it may be left: the chosen set, and per chosen stick whether that set's
// built caches fit (the shared rule the job service refuses with, src-shared/caches/cache-fit.ts).
import { cacheFit, type CacheContent, type CacheFit } from '../../src-shared/caches/cache-fit.ts';
import { t } from '../../src-shared/i18n/index.ts';
import { formatBytesApart } from '../../src-shared/format/bytes.ts';
import type { WizardState } from './state.ts';
import type { CacheSetSummary, ChosenTarget } from './types.ts';

export function chosenCacheSet(s: Pick<WizardState, 'cacheSets' | 'cacheSetFile'>): CacheSetSummary | null {
  return s.cacheSets?.find((c) => c.file === s.cacheSetFile) ?? null;
}

/** The newest build date of a set's kinds, or null when none was ever built. */
export function lastBuilt(set: CacheSetSummary): string | null {
  const dates = set.kinds.map((k) => k.builtAt).filter((d): d is string => d !== null);
  return dates.length ? dates.sort().at(-1)! : null;
}

export interface TargetCacheFit {
  target: ChosenTarget;
  /** null while the target's plan is being worked out */
  fit: CacheFit | null;
}

/** What the sticks take in caches: the set's built kinds and any plain cache folders ticked beside it. */
export function cacheContent(s: Pick<WizardState, 'availableCaches' | 'caches'>, set: CacheSetSummary): CacheContent {
  const folders = (s.availableCaches ?? []).filter((c) => s.caches.includes(c.path));
  return { bytes: set.builtBytes + folders.reduce((n, c) => n + c.sizeBytes, 0), files: set.builtFiles + folders.reduce((n, c) => n + c.files, 0) };
}

/**
 * What the targets are planned for, as the job service plans them: the chosen set's built caches and the ticked
 * cache folders, or null for none. On A/B profiles their room is kept for the data partition before the slots
 * grow, so the layout the review shows is the one the write makes.
 */
export function plannedCaches(s: Pick<WizardState, 'availableCaches' | 'caches' | 'cacheSets' | 'cacheSetFile'>): CacheContent | null {
  const set = chosenCacheSet(s);
  if (set) return cacheContent(s, set);
  const folders = (s.availableCaches ?? []).filter((c) => s.caches.includes(c.path));
  return folders.length ? { bytes: folders.reduce((n, c) => n + c.sizeBytes, 0), files: folders.reduce((n, c) => n + c.files, 0) } : null;
}

/** Per chosen target (selectors' chosenTargets: passed in, so this file and selectors.ts import one way only). */
export function cacheFits(s: WizardState, set: CacheSetSummary, targets: ChosenTarget[]): TargetCacheFit[] {
  const content = cacheContent(s, set);
  return targets.map(({ plan, ...target }) => ({
    target: { ...target, plan },
    fit: plan?.neededBytes !== undefined ? cacheFit({ ...plan, neededBytes: plan.neededBytes }, content) : null,
  }));
}

export function cachesReady(s: WizardState, targets: ChosenTarget[]): { ok: true } | { ok: false; hint: string } {
  if (s.cacheSetBuild) return { ok: false, hint: t('hint.cacheSetBuilding') };
  const set = chosenCacheSet(s);
  if (!set) return { ok: true };
  if (!set.complete) return { ok: false, hint: t('hint.cacheSetUnbuilt', { set: set.title }) };
  for (const { target, fit } of cacheFits(s, set, targets)) {
    if (!fit) return { ok: false, hint: t('hint.workingOut') };
    if (fit.kind === 'no-caches') return { ok: false, hint: t('hint.cacheSetNoRoom') };
    // as many digits as the fit list shows beside the stick's own size
    if (fit.kind === 'too-small') return { ok: false, hint: t('hint.cacheSetTooBig', { target: target.label, size: formatBytesApart(target.sizeBytes, fit.neededBytes)[1] }) };
  }
  return { ok: true };
}
