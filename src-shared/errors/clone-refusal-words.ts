// Why a clone job refused its source or a target, in the reader's language: the helper's typed reasons
// (src-shared/job/clone-refusal.ts) said with the catalogue, sizes formatted the reader's way.
import { formatBytesApart } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';
import type { CloneRefusal } from '../job/clone-refusal.ts';
import { planProblemWords } from './plan-words.ts';

/** The reason as a sentence (it follows "Refused before anything was written."). */
export function cloneRefusalWords(r: CloneRefusal): string {
  switch (r.reason) {
    case 'source-missing':
      return t('clone-refusal.source-missing', { source: r.source });
    case 'source-not-disk':
      return t('clone-refusal.source-not-disk', { source: r.source });
    case 'source-mounted':
      return t('clone-refusal.source-mounted', { source: r.source, at: r.at.join(', ') });
    case 'source-zstd':
      return t('clone-refusal.source-zstd', { source: r.source });
    case 'source-esp-damaged':
      return t('clone-refusal.source-esp-damaged', { file: r.file });
    case 'source-no-profile':
      return t('clone-refusal.source-no-profile', { hostname: r.hostname });
    case 'source-no-manifest':
      return t('clone-refusal.source-no-manifest', { slot: r.slot.toUpperCase(), bundle: r.bundle, version: r.version });
    case 'target-is-source':
      return t('clone-refusal.target-is-source', { target: r.target });
    case 'target-not-block':
      return t('clone-refusal.target-not-block', { target: r.target });
    case 'target-no-folder':
      return t('clone-refusal.target-no-folder', { target: r.target });
    case 'target-loop-of-source':
      return t('clone-refusal.target-loop-of-source', { target: r.target });
    case 'target-plan':
      return t('clone-refusal.target-plan', { target: r.target, problem: planProblemWords(r.problem) });
    case 'target-too-small': {
      const [size, need] = formatBytesApart(r.sizeBytes, r.neededBytes);
      return r.source === null ? t('clone-refusal.target-too-small-raw', { target: r.target, size, need }) : t('clone-refusal.target-too-small', { target: r.target, size, need, source: r.source });
    }
  }
}
