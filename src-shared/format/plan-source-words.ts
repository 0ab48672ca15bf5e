// What a plan was computed for (src-shared/layout/plan-source.ts), in the reader's language.
import { t } from '../i18n/index.ts';
import type { PlanSourceSaid } from '../layout/plan-source.ts';

export function planSourceWords(s: PlanSourceSaid): string {
  switch (s.kind) {
    case 'image-bytes':
      return t('planSource.imageBytes', { bytes: s.bytes });
    case 'image':
      return t('planSource.image', { path: s.path, bytes: s.bytes });
    case 'bundle':
      return t('planSource.bundle', { dir: s.dir, name: s.name, version: s.version });
    case 'nominal':
      return t('planSource.nominal', { bytes: s.bytes });
    case 'demo':
      return t('planSource.demo', { dir: s.dir, name: s.name, version: s.version });
  }
}
