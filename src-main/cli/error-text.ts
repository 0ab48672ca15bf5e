// An error as the terminal says it. In English, the services' own message: it is English already and names the
// paths and numbers in full. In another language, its typed details in that language
// (src-shared/errors/error-words.ts, the same words the GUI uses), else the message as it came.
import { errorWords } from '../../src-shared/errors/error-words.ts';
import { getLocale } from '../../src-shared/i18n/index.ts';

export function cliErrorText(err: unknown): string {
  if (getLocale() === 'en') return err instanceof Error ? err.message : String(err);
  return errorWords(err);
}
