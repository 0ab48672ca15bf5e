// Per chosen stick, whether the chosen cache set fits: the room left with it, or the size of stick it needs.
import { t } from '../../src-shared/i18n/index.ts';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { cacheFits } from '../store/cache-selectors.ts';
import { useWizard } from '../store/context.tsx';
import type { CacheSetSummary } from '../store/types.ts';

export function CacheFitList({ set }: { set: CacheSetSummary }) {
  // the whole state, then derived: a selector returning a new array each time would re-render without end
  const state = useWizard((s) => s);
  const fits = cacheFits(state, set);
  if (!set.complete) return <p className="muted">{t('caches.fitAfterBuild')}</p>;
  return (
    <ul className="file-list cache-fit" aria-label={t('caches.fitLabel', { set: set.title })}>
      {fits.map(({ target, fit }) => (
        <li key={target.key} data-fit={fit?.kind ?? 'working'} data-target={target.path}>
          <span className="grow">
            {target.label} <span className="mono muted">{target.path}</span>
          </span>
          <span className={fit?.kind === 'fits' ? 'fit-ok' : fit ? 'fit-no' : 'muted'}>
            {!fit
              ? t('hint.workingOut')
              : fit.kind === 'fits'
                ? t('caches.fits', { free: formatBytes(fit.roomBytes) })
                : fit.kind === 'no-caches'
                  ? t('caches.noRoomInProfile')
                  : t('caches.tooSmall', { size: formatBytes(target.sizeBytes), needed: formatBytes(fit.neededBytes) })}
          </span>
        </li>
      ))}
    </ul>
  );
}
