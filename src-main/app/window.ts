// The iios window: context isolation, sandbox, no Node in the page, a strict CSP, no navigation away
// from the app's own page, no new windows, no permissions. The page comes from a private iios:// scheme
// rather than file:// (Electron's security checklist): 'self' then means the app's own files only.
import { app, BrowserWindow, net, protocol, session, shell, type WebContents } from 'electron';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ELECTRON_CSP } from '../bridge/static-files.ts';
import { pageUrl } from './ipc.ts';

export const APP_SCHEME = 'iios';
export const APP_HOST = 'app';

export interface WindowPaths {
  preload: string;
  rendererIndex: string;
  icon: string | undefined;
}

export function rendererUrl(): string {
  return `${APP_SCHEME}://${APP_HOST}/index.html`;
}

/** Before app ready: iios:// behaves like https for the page (standard, secure, fetch). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** After app ready: iios://app/<path> serves files of the built renderer, nothing outside it. */
export function serveAppScheme(rendererDir: string): void {
  const root = normalize(rendererDir);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const rel = normalize(decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname));
    const file = join(root, rel);
    if (url.host !== APP_HOST || !file.startsWith(root.endsWith(sep) ? root : root + sep)) {
      return new Response('not found', { status: 404 });
    }
    const response = await net.fetch(pathToFileURL(file).href).catch(() => null);
    if (!response?.ok) return new Response('not found', { status: 404 });
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', ELECTRON_CSP);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

/** Session-wide guards, once: CSP on every response, every permission request refused. */
export function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] } });
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
  void win.loadURL(rendererUrl());
  return win;
}

export function defaultWindowPaths(mainDir: string, root: string): WindowPaths {
  return {
    preload: join(mainDir, 'preload.cjs'),
    rendererIndex: join(mainDir, '..', 'renderer', 'index.html'),
    icon: join(root, 'resources', 'icons', 'iios.png'),
  };
}
