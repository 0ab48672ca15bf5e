// Renderer entry: choose the language (the browser's preferred languages; in the Electron window Chromium
// derives them from the app's locale, app.getLocale()), connect to iios (Electron preload or the loopback
// bridge), then mount the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { matchLocale, setLocale, t } from '../src-shared/i18n/index.ts';
import { App } from './App.tsx';
import { ensureTransport } from './platform/iios.ts';
import './theme/theme.css';
import './theme/wizard.css';

const locale = matchLocale(navigator.languages ?? [navigator.language]);
setLocale(locale);
document.documentElement.lang = locale; // screen readers pronounce the page in its language
const root = createRoot(document.getElementById('root')!);
if (ensureTransport()) {
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
} else {
  root.render(
    <p className="not-connected" role="alert">
      {t('app.notConnected')}
    </p>,
  );
}
