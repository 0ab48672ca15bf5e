// The one line a failed call shows, in the reader's language: the services' typed details said with the
// catalogue (src-shared/errors/error-words.ts), else the Error's message, else the value.
import { errorWords } from '../../src-shared/errors/error-words.ts';

export function errorText(err: unknown): string {
  return errorWords(err);
}
