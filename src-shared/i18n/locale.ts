// Which of iios's languages to speak, from what the system says it prefers. English is the fallback only when
// the system asks for a language iios does not have; a key missing from a language it has is a bug the tests
// catch (test/unit/i18n-catalogue.test.ts), never quietly shown in English.

export const LOCALES = ['en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
export const FALLBACK_LOCALE: Locale = 'en';

/**
 * The first supported language among the preferred ones, in order: "de-AT", "de_DE.UTF-8" and "de" all pick
 * German; "C" and "POSIX" (no language at all) and unknown languages are skipped. English when none matches.
 */
export function matchLocale(preferred: readonly (string | null | undefined)[]): Locale {
  for (const tag of preferred) {
    const lang = languageOf(tag);
    const hit = LOCALES.find((l) => l === lang);
    if (hit) return hit;
  }
  return FALLBACK_LOCALE;
}

/**
 * A terminal's language as POSIX resolves it for messages: LC_ALL over LC_MESSAGES over LANG, the first that
 * is set and not empty decides (a set LC_ALL=C means English even when LANG says German).
 */
export function localeFromEnv(env: Readonly<Record<string, string | undefined>>): Locale {
  const chosen = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '');
  return matchLocale([chosen]);
}

/** "de_DE.UTF-8@euro" -> "de"; "C", "POSIX", "" -> null. */
function languageOf(tag: string | null | undefined): string | null {
  if (!tag) return null;
  const lang = tag.trim().split(/[-_.@]/)[0]!.toLowerCase();
  return lang === '' || lang === 'c' || lang === 'posix' ? null : lang;
}
