// Dates and times as the language iios speaks writes them (src-shared/i18n): "1:31:43 PM" / "13:31:43".
import { getLocale } from '../i18n/locale-state.ts';

/** A clock time with seconds, for the moments of one job ("13:31:43"). */
export function formatTime(at: number | Date): string {
  return new Intl.DateTimeFormat(getLocale(), { timeStyle: 'medium' }).format(at);
}

/** A day and a time, for things that outlive the job (a stick's creation date): "Dec 2, 2026, 1:31 PM". */
export function formatDateTime(at: number | Date): string {
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/** A day alone, where the time of day says nothing (when a stick was made): "Nov 30, 2026" / "30.11.2026". */
export function formatDate(at: number | Date): string {
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium' }).format(at);
}
