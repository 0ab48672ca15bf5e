// Light / dark / follow-the-system switch. The choice sits on <html data-theme> (theme.css reads it) and
// is remembered in localStorage; "system" removes the attribute so prefers-color-scheme decides.
import { useEffect, useState } from 'react';
import { t, type PlainKey } from '../../src-shared/i18n/index.ts';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'iios-theme';
const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<ThemeChoice, PlainKey> = { system: 'theme.system', light: 'theme.light', dark: 'theme.dark' };

export function readThemeChoice(): ThemeChoice {
  try {
    const v = window.localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function applyThemeChoice(choice: ThemeChoice): void {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  try {
    window.localStorage.setItem(KEY, choice);
  } catch {
    // storage may be unavailable (private mode): the choice then lasts for this page only
  }
}

export function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>(readThemeChoice);
  useEffect(() => applyThemeChoice(choice), [choice]);
  return (
    <button
      type="button"
      className="btn small"
      onClick={() => setChoice(NEXT[choice])}
      // The visible text is the accessible name (WCAG 2.5.3: a speech user says what they see); the title
      // tells what pressing it does.
      title={t('theme.switchTitle')}
      data-theme-choice={choice}
    >
      {t(LABEL[choice])}
    </button>
  );
}
