// One cache set in the cache step: a radio to carry it on the sticks, its kinds each with its size or "never
// built", its total and last build, and Build / Refresh with the build's bar while it runs and what it brought after.
import { cacheBuildStepText } from '../../src-shared/caches/build-step.ts';
import { t } from '../../src-shared/i18n/index.ts';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { formatDateTime } from '../../src-shared/format/date-time.ts';
import { percentOf } from '../../src-shared/progress/display.ts';
import { lastBuilt } from '../store/cache-selectors.ts';
import { useWizard } from '../store/context.tsx';
import type { CacheSetSummary } from '../store/types.ts';
import { CacheBuildDone } from './CacheBuildDone.tsx';

export function CacheSetItem({ set }: { set: CacheSetSummary }) {
  const chosen = useWizard((s) => s.cacheSetFile === set.file);
  const build = useWizard((s) => s.cacheSetBuild);
  const buildError = useWizard((s) => (s.cacheSetBuildError?.file === set.file ? s.cacheSetBuildError.message : null));
  const done = useWizard((s) => (s.cacheSetBuildDone?.file === set.file ? s.cacheSetBuildDone : null));
  const choose = useWizard((s) => s.chooseCacheSet);
  const buildSet = useWizard((s) => s.buildCacheSet);
  const building = build?.file === set.file ? build : null;
  const built = lastBuilt(set);
  const id = `cache-set-${set.id}`;
  const percent = building ? percentOf(building.fraction) : 0;

  return (
    <li className={`panel cache-set${chosen ? ' chosen' : ''}`} data-cache-set={set.id}>
      <label className="switch cache-set-title">
        <input type="radio" name="cache-set" checked={chosen} onChange={() => choose(set.file)} aria-describedby={`${id}-kinds`} />
        <strong>{set.title}</strong> <span className="mono muted">{set.file}</span>
      </label>
      <ul className="cache-kinds" id={`${id}-kinds`}>
        {set.kinds.map((k) => (
          <li key={k.kind} data-kind={k.kind}>
            <span className="mono">{k.kind}</span>
            <span className="num muted">{k.builtAt && k.sizeBytes !== null ? t('caches.kindBuilt', { size: formatBytes(k.sizeBytes), date: formatDateTime(new Date(k.builtAt)) }) : t('caches.neverBuilt')}</span>
          </li>
        ))}
      </ul>
      <div className="row">
        <span className="grow" data-testid="cache-set-state">
          {built === null ? t('caches.setNeverBuilt') : set.complete ? t('caches.setBuilt', { size: formatBytes(set.builtBytes), date: formatDateTime(new Date(built)) }) : t('caches.setPartlyBuilt', { size: formatBytes(set.builtBytes) })}
        </span>
        <button type="button" className="btn" disabled={build !== null} onClick={() => void buildSet(set.file)}>
          {built === null ? t('caches.build') : t('caches.refresh')}
        </button>
      </div>
      {building && (
        <div className="cache-build">
          <div
            className="bar"
            role="progressbar"
            aria-label={t('caches.buildBar', { set: set.title })}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            aria-valuetext={building.kind ? t('caches.buildKind', { percent, kind: building.kind }) : t('caches.buildStarting')}
            data-kind={building.kind ?? ''}
          >
            <div className="fill" style={{ width: `${building.fraction * 100}%` }} />
          </div>
          <span className="muted" data-testid="cache-build-what">
            {percent} % {building.step && cacheBuildStepText(building.step)}
          </span>
        </div>
      )}
      {done && <CacheBuildDone title={set.title} kinds={done.kinds} />}
      {buildError && (
        <div className="alert error" role="alert">
          {t('caches.buildFailed', { error: buildError })}
        </div>
      )}
    </li>
  );
}
