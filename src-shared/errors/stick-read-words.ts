// Why a stick read back has no layout or no stamp (src-shared/stick/stick-read-problem.ts), in the reader's
// language; a stamp's failing field said as every field issue is (field-words.ts).
import { t } from '../i18n/index.ts';
import type { StickReadProblem } from '../stick/stick-read-problem.ts';
import { fieldIssueWords } from './field-words.ts';

export function stickReadWords(p: StickReadProblem): string {
  switch (p.reason) {
    case 'no-table':
      return t('cli.write.noTable');
    case 'no-esp':
      return t('stickRead.no-esp');
    case 'no-stamp':
      return t('stickRead.no-stamp', { file: p.file });
    case 'stamp-not-json':
      return t('stickRead.stamp-not-json', { file: p.file });
    case 'stamp-invalid':
      return t('stickRead.stamp-invalid', { file: p.file, issue: fieldIssueWords(p.issue) });
  }
}
