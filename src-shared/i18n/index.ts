// The message catalogue: t(key, vars) in the language the system prefers (see en.ts for how to add a message).
export { t, translate, CATALOGUES, type MessageKey, type PlainKey, type Catalogue } from './translate.ts';
export { FALLBACK_LOCALE, LOCALES, localeFromEnv, matchLocale, type Locale } from './locale.ts';
export type { Message, Plural } from './message-types.ts';
export { getLocale, setLocale } from './locale-state.ts';
