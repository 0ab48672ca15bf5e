// The iios window: context isolation, sandbox, no Node in the page, a strict CSP, no navigation away
// from the app's own page, no new windows, no permissions.
import { app, BrowserWindow, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RENDERER_CSP } from '../bridge/static-files.ts';
import { pageUrl } from './ipc.ts';

export interface WindowPaths {
  preload: string;
  rendererIndex: string;
  icon: string | undefined;
}

export function rendererUrl(paths: WindowPaths): string {
  return pathToFileURL(paths.rendererIndex).href;
}

/** Session-wide guards, once: CSP on every response, every permission request refused. */
export function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
}

/** Every webContents (also ones we did not create) may only show the app's page and opens nothing. */
export function guardWebContents(contents: WebContents, allowedPage: string): void {
  contents.on('will-navigate', (event, url) => {
    if (pageUrl(url) !== pageUrl(allowedPage)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links to the project's web pages open in the user's browser, never inside iios.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

export function createMainWindow(paths: WindowPaths): BrowserWindow {
  const win = new BrowserWindow({
    width: 1024,
    height: 700,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: 'iios',
    icon: paths.icon,
    backgroundColor: '#f5f6f8',
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  win.removeMenu();
  win.once('ready-to-show', () => win.show());
  void win.loadFile(paths.rendererIndex);
  return win;
}

export function defaultWindowPaths(mainDir: string, root: string): WindowPaths {
  return {
    preload: join(mainDir, 'preload.cjs'),
    rendererIndex: join(mainDir, '..', 'renderer', 'index.html'),
    icon: join(root, 'resources', 'icons', 'iios.png'),
  };
}
