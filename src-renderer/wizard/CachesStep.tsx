// The cache step: the cache sets of this computer (~/.config/iios/cache-sets/) and any the user opens, each
// with its kinds, size and last build; one is chosen for the sticks (or none), built or refreshed here, and
// checked against every chosen stick. Plain cache folders (`--cache KIND=DIR`) are offered below the sets.
import { useState } from 'react';
import { t } from '../../src-shared/i18n/index.ts';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { chosenCacheSet } from '../store/cache-selectors.ts';
import { useWizard } from '../store/context.tsx';
import { CacheFitList } from './CacheFitList.tsx';
import { CacheSetItem } from './CacheSetItem.tsx';
import { ChooseButton } from './ChooseButton.tsx';
import { StepHeading } from './StepHeading.tsx';

export function CachesStep() {
  const state = useWizard((s) => s);
  const [path, setPath] = useState('');
  const chosen = chosenCacheSet(state);
  const sets = state.cacheSets;

  return (
    <section>
      <StepHeading title={t('caches.heading')}>{t('caches.lead')}</StepHeading>
      <div className="two-col">
        <div>
          {sets === null && <p className="muted">{t('caches.looking')}</p>}
          {state.cacheSetsError && <p className="alert error">{t('caches.listFailed', { error: state.cacheSetsError })}</p>}
          <ul className="cache-sets" aria-label={t('caches.setsLabel')}>
            <li className="panel cache-set">
              <label className="switch">
                <input type="radio" name="cache-set" checked={state.cacheSetFile === null} onChange={() => state.chooseCacheSet(null)} />
                {t('caches.none')}
              </label>
            </li>
            {sets?.map((set) => <CacheSetItem key={set.file} set={set} />)}
          </ul>
          {sets?.length === 0 && !state.cacheSetsError && <p className="muted">{t('caches.noSets')}</p>}
          <form
            className="field panel"
            onSubmit={(e) => {
              e.preventDefault();
              void state.openCacheSetFile(path);
            }}
          >
            <label htmlFor="cache-set-path">{t('caches.openLabel')}</label>
            <div className="row">
              <input id="cache-set-path" className="text-input grow mono" type="text" spellCheck={false} value={path} placeholder="/home/teacher/lab.yaml" onChange={(e) => setPath(e.target.value)} />
              <button type="submit" className="btn" disabled={!path.trim().startsWith('/') || state.cacheSetOpening}>
                {t('caches.open')}
              </button>
              <ChooseButton request={() => ({ mode: 'open-file', title: t('caches.chooseFile') })} onPicked={([p]) => p && void state.openCacheSetFile(p)} />
            </div>
            {state.cacheSetOpenError && (
              <div className="alert error" role="alert">
                {state.cacheSetOpenError}
              </div>
            )}
          </form>
        </div>
        <div>
          <div className="panel">
            <h3 className="cache-fit-heading">{chosen ? t('caches.fitHeading', { set: chosen.title }) : t('caches.fitNone')}</h3>
            {chosen && <CacheFitList set={chosen} />}
          </div>
          {(state.availableCaches?.length ?? 0) > 0 && (
            <fieldset className="panel">
              <legend className="label">{t('caches.folders')}</legend>
              {state.availableCaches?.map((c) => (
                <label key={c.path} className="switch" style={{ display: 'flex' }}>
                  <input type="checkbox" checked={state.caches.includes(c.path)} onChange={(e) => state.toggleCache(c.path, e.target.checked)} />
                  {c.kind} <span className="mono muted">{c.path}</span>
                  <span className="num muted">{t('options.cacheFiles', { count: c.files, size: formatBytes(c.sizeBytes) })}</span>
                </label>
              ))}
            </fieldset>
          )}
        </div>
      </div>
    </section>
  );
}
