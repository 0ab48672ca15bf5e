// How the GUI and the CLI write the progress numbers, so the same job reads the same in both: whole percents
// rounded down (100 % only once done), and a time left that says "unknown" instead of making one up.
import { t } from '../i18n/index.ts';
import { formatEta } from './speed.ts';

/** 0…100, rounded down: a target at 99.9 % is not shown as done. */
export function percentOf(fraction: number): number {
  if (!Number.isFinite(fraction) || fraction <= 0) return 0;
  return Math.min(100, Math.floor(fraction * 100 + 1e-9));
}

/** "4:07", or "unknown" while the time left is not known yet. */
export function formatTimeLeft(secondsLeft: number | null): string {
  return secondsLeft === null ? t('time.unknown') : formatEta(secondsLeft);
}
