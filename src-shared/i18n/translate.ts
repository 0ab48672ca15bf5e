// t(key, vars): the one way iios turns a message key into text in the chosen language. The language is set
// once at start (setLocale: the renderer from navigator.languages, the CLI from LC_ALL/LC_MESSAGES/LANG);
// until then, and in the privileged helper, which never sets it, iios speaks English.
import { de } from './de.ts';
import { en } from './en.ts';
import type { Locale } from './locale.ts';
import { getLocale } from './locale-state.ts';
import type { Message, Plural, VarsOf, VarValue } from './message-types.ts';

export type Catalogue = typeof en;
export type MessageKey = keyof Catalogue;
export type MessageVars<K extends MessageKey> = Record<VarsOf<Catalogue[K]>, VarValue>;
/** The keys of messages without variables: what a Record from code to key holds (t(KEYS[x]) needs no vars). */
export type PlainKey = { [K in MessageKey]: [VarsOf<Catalogue[K]>] extends [never] ? K : never }[MessageKey];
/** No second argument for a message without variables, a required one with exactly its variables otherwise. */
export type VarsArg<K extends MessageKey> = [VarsOf<Catalogue[K]>] extends [never] ? [] : [vars: MessageVars<K>];

export const CATALOGUES: Record<Locale, Readonly<Record<MessageKey, Message>>> = { en, de };

/** The message in the current language, its {variables} filled in (numbers written the locale's way). */
export function t<K extends MessageKey>(key: K, ...vars: VarsArg<K>): string {
  return translate(getLocale(), key, (vars[0] ?? {}) as Record<string, VarValue>);
}

/** The same for a given language (tests, and the odd place that must speak a language other than the UI's). */
export function translate(locale: Locale, key: string, vars: Record<string, VarValue> = {}): string {
  const message = (CATALOGUES[locale] as Record<string, Message | undefined>)[key];
  // Never English in place of a missing translation: the key itself shows, so a test or a user sees the gap.
  if (message === undefined) return `⟦${key}⟧`;
  const text = typeof message === 'string' ? message : pluralForm(locale, message, vars.count);
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = vars[name];
    if (v === undefined) return whole;
    return typeof v === 'number' ? formatNumber(v, locale) : v;
  });
}

function pluralForm(locale: Locale, message: Plural, count: VarValue | undefined): string {
  const n = typeof count === 'number' ? count : Number(count);
  const category = Number.isFinite(n) ? new Intl.PluralRules(locale).select(n) : 'other';
  return message[category] ?? message.other;
}

/** Whole numbers grouped the locale's way ("1,234" / "1.234"), fractions as they come. */
function formatNumber(n: number, locale: Locale): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 20 }).format(n);
}
