// What a finished cache build brought, under its set: per kind how many items it holds, their bytes, and what
// was new in this build (the first few named), until another build starts.
import { t } from '../../src-shared/i18n/index.ts';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import type { CacheSetBuildResult } from '../store/types.ts';

/** New items named in the line; the rest counted (a first build of a large set brings hundreds). */
const NAMED = 5;

function newText(items: string[]): string {
  if (items.length === 0) return t('caches.doneNothingNew');
  if (items.length <= NAMED) return t('caches.doneNew', { count: items.length, items: items.join(', ') });
  return t('caches.doneNewMore', { total: items.length, count: items.length - NAMED, items: items.slice(0, NAMED).join(', ') });
}

export function CacheBuildDone({ title, kinds }: { title: string; kinds: CacheSetBuildResult }) {
  const seconds = Math.round(kinds.reduce((s, k) => s + k.seconds, 0));
  return (
    <div className="cache-build-done" data-testid="cache-build-done">
      <p className="muted">{t('caches.doneHeading', { seconds })}</p>
      <ul className="cache-kinds" aria-label={t('caches.doneLabel', { set: title })}>
        {kinds.map((k) => (
          <li key={k.kind} data-kind={k.kind}>
            <span className="mono">{k.kind}</span>
            <span className="num">{t('caches.doneKind', { count: k.items, size: formatBytes(k.sizeBytes) })}</span>
            <span className="muted">{newText(k.newItems)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
