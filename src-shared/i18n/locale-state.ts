// The language iios speaks in this process, set once at start. Its own small module so the formatters
// (src-shared/format) can follow it without pulling in the catalogues (the privileged helper never sets it
// and so formats the English way).
import { FALLBACK_LOCALE, type Locale } from './locale.ts';

let current: Locale = FALLBACK_LOCALE;

export function setLocale(locale: Locale): void {
  current = locale;
}

export function getLocale(): Locale {
  return current;
}
