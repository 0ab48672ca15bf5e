// Renderer entry: connect to iios (Electron preload or the loopback bridge), then mount the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { ensureTransport } from './platform/iios.ts';
import './theme/theme.css';
import './theme/wizard.css';

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
      iios is not connected. Start the app, or open the link printed by <code>iios serve</code>.
    </p>,
  );
}
