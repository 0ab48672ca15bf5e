// Sizes as iios shows them, everywhere: the wizard, the `iios` command, and the helper's refusals.
//
// One convention: DECIMAL units (B, kB, MB, GB, TB, PB; powers of 1000), as stick vendors print on the label
// and drive tools list them, and as speeds are shown (MB/s, src-shared/progress). So a "16 GB" stick reads
// "16.0 GB" in all three places, never "14.9 GiB" in one of them. Profiles may still *write* sizes in binary
// units ("512MiB", parsed by src-shared/profile/size-spec.ts); where the exact figure matters, a message adds
// the bytes themselves (groupDigits), as the too-small refusals do.
//
// The figures follow the language iios speaks (src-shared/i18n): "16.0 GB" in English, "16,0 GB" in German;
// the unit symbols are SI and the same in every language.
import { getLocale } from '../i18n/locale-state.ts';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

/**
 * "16.0 GB", "537 MB", "512 B". One decimal below 100 of a unit, none from 100 on, unless `digits` says how many.
 * A value that rounds up to 1000 of a unit is shown in the next one ("1.0 GB", not "1000 MB").
 * Not a size (negative, NaN, infinite): "—".
 */
export function formatBytes(bytes: number, digits?: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  // whole bytes are whole: "512 B", never "512.0 B"; 99.96 kB is "100 kB", not "100.0 kB"
  let places = i === 0 ? 0 : (digits ?? (Number(v.toFixed(1)) < 100 ? 1 : 0));
  if (Number(v.toFixed(places)) >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
    places = digits ?? 1;
  }
  return `${fixed(v, places)} ${UNITS[i]}`;
}

/**
 * Two sizes that are compared in one sentence ("2.14 GB is too small, this needs at least 2.15 GB"): each as
 * formatBytes shows it alone, unless the two would then read the same although they differ; then both with the
 * fewest decimals (up to four) that keep them apart.
 */
export function formatBytesApart(a: number, b: number): [string, string] {
  if (a === b || formatBytes(a) !== formatBytes(b)) return [formatBytes(a), formatBytes(b)];
  let digits = 1;
  while (digits < 4 && formatBytes(a, digits) === formatBytes(b, digits)) digits++;
  return [formatBytes(a, digits), formatBytes(b, digits)];
}

/** 4294967296 -> "4,294,967,296" ("4.294.967.296" in German): the exact figure beside a rounded one. */
export function groupDigits(n: number): string {
  return new Intl.NumberFormat(getLocale(), { maximumFractionDigits: 0, useGrouping: true }).format(n);
}

/** A number with exactly `places` decimals in the current language, never grouped ("1000000 PB" stays one word). */
export function fixed(v: number, places: number): string {
  return new Intl.NumberFormat(getLocale(), { minimumFractionDigits: places, maximumFractionDigits: places, useGrouping: false }).format(v);
}
