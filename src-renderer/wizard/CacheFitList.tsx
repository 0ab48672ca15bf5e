// Per chosen stick, whether the chosen cache set fits: the room left with it, or the size of stick it needs.
import { t } from '../../src-shared/i18n/index.ts';
import { formatBytes, formatBytesApart } from '../../src-shared/format/bytes.ts';
import { cacheFits } from '../store/cache-selectors.ts';
import { chosenTargets } from '../store/selectors.ts';
import { useWizard } from '../store/context.tsx';
import type { CacheSetSummary } from '../store/types.ts';

export function CacheFitList({ set }: { set: CacheSetSummary }) {
  // the whole state, then derived: a selector returning a new array each time would re-render without end
  const state = useWizard((s) => s);
  const fits = cacheFits(state, set, chosenTargets(state));
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
                  : tooSmallText(target.sizeBytes, fit.neededBytes)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Both sizes with as many digits as it takes for them to differ ("1.73 GB stick, needs at least 1.76 GB"). */
function tooSmallText(sizeBytes: number, neededBytes: number): string {
  const [size, needed] = formatBytesApart(sizeBytes, neededBytes);
  return t('caches.tooSmall', { size, needed });
}
