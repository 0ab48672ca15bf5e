// Per-target names from a pattern: `class-{nn}` → class-01, class-02 … (teachers flash 10–30 sticks at once).
// `{n}` is the plain number, `{nn}`/`{nnn}`… the number zero-padded to that many digits (wider when needed).
// The result is a hostname, so it must be one RFC 1123 label: a–z, 0–9 and '-', at most 63 characters.
import { t } from '../i18n/index.ts';

const PLACEHOLDER = /\{(n+)\}/g;
const HOSTNAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export class NamePatternError extends Error {}

/** True when the pattern numbers its names (contains {n}, {nn}, …). */
export function hasCounter(pattern: string): boolean {
  return /\{n+\}/.test(pattern);
}

/** The name for the `index`-th target (1-based). */
export function expandName(pattern: string, index: number): string {
  if (!Number.isInteger(index) || index < 1) throw new NamePatternError(t('names.badIndex', { index: String(index) }));
  const name = pattern.replace(PLACEHOLDER, (_m, ns: string) => String(index).padStart(ns.length, '0'));
  if (/[{}]/.test(name)) throw new NamePatternError(t('names.unknownPlaceholder', { pattern, n: '{n}', nn: '{nn}' }));
  if (!HOSTNAME.test(name)) {
    throw new NamePatternError(t('names.notHostname', { name }));
  }
  return name;
}

/** Names for `count` targets, numbered from `first` (default 1); refuses a pattern that would repeat a name. */
export function expandNames(pattern: string, count: number, first = 1): string[] {
  if (!Number.isInteger(count) || count < 0) throw new NamePatternError(t('names.badCount', { count: String(count) }));
  if (count > 1 && !hasCounter(pattern)) {
    throw new NamePatternError(t('names.noCounter', { pattern, count, n: '{n}', nn: '{nn}' }));
  }
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(expandName(pattern, first + i));
  return names;
}
