// Electron main process of iios: one window, the contract bound to ipcMain over the shared handlers.
// Bundled by build.mjs to dist/main/main.cjs (package.json "main").
import { app, BrowserWindow, dialog, ipcMain, powerSaveBlocker, webContents } from 'electron';
import type { JobNotice } from '../../src-shared/contract/domains/jobs.ts';
import { matchLocale, setLocale } from '../../src-shared/i18n/index.ts';
import { createBatchAttention } from '../services/jobs/batch-attention.ts';
import { appRoot } from '../services/app/app-info.ts';
import { createPathPicker } from '../services/app/path-picker.ts';
import { createAppRuntime } from '../services/runtime.ts';
import { bindIpc, senderCheck } from './ipc.ts';
import { dirname } from 'node:path';
import {
  createMainWindow,
  defaultWindowPaths,
  guardWebContents,
  hardenSession,
  registerAppScheme,
  rendererUrl,
  serveAppScheme,
} from './window.ts';

// Packaged: package.json and resources/ are copied next to app.asar (electron-builder extraResources),
// where external tools (the helper, mksquashfs…) can read them.
if (app.isPackaged && !process.env.IIOS_ROOT) process.env.IIOS_ROOT = process.resourcesPath;

// Chromium refuses to start as root with its OS sandbox on. iios is normally started as a user (the helper
// is elevated per job); when it is started as root anyway, run without it rather than not at all.
if (typeof process.getuid === 'function' && process.getuid() === 0) {
  console.warn('iios: running as root: the Chromium OS sandbox is off (start iios as a normal user to keep it)');
  app.commandLine.appendSwitch('no-sandbox');
}
app.enableSandbox();
registerAppScheme();
if (!app.requestSingleInstanceLock()) app.quit();

const paths = defaultWindowPaths(__dirname, appRoot());
const pageUrl = rendererUrl();
let mainWindow: BrowserWindow | null = null;

app.on('web-contents-created', (_event, contents) => guardWebContents(contents, pageUrl));
app.on('second-instance', () => {
  if (mainWindow?.isMinimized()) mainWindow.restore();
  mainWindow?.focus();
});

void app.whenReady().then(() => {
  // What the main process words itself (dialog titles, a path rule's sentence, the batch notification) in the
  // system's language, the one the window's navigator.languages reports too.
  setLocale(matchLocale([...app.getPreferredSystemLanguages(), app.getLocale()]));
  hardenSession();
  serveAppScheme(dirname(paths.rendererIndex));
  const liveWindow = () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null);
  const senderWindow = (id: number | undefined) => {
    const contents = id === undefined ? undefined : webContents.fromId(id);
    return contents ? BrowserWindow.fromWebContents(contents) : null;
  };
  const runtime = createAppRuntime({ pickPath: createPathPicker({ dialog, windowOf: (ctx) => senderWindow(ctx.senderId) }) });
  bindIpc({
    ipcMain,
    handlers: runtime.handlers,
    events: runtime.events,
    isTrustedSender: senderCheck(() => {
      const w = liveWindow();
      return w ? [w.webContents.id] : [];
    }, pageUrl),
    eventTargets: () => {
      const w = liveWindow();
      return w ? [w.webContents] : [];
    },
  });
  // No sleep while a batch runs, and its progress on the window's taskbar entry.
  const attention = createBatchAttention({
    setProgress: (f) => liveWindow()?.setProgressBar(f ?? -1),
    blockSleep: () => powerSaveBlocker.start('prevent-app-suspension'),
    allowSleep: (id) => powerSaveBlocker.stop(id),
  });
  runtime.events.subscribe((event, payload) => {
    if (event === 'jobs.event') attention.onNotice(payload as JobNotice);
  });
  app.on('will-quit', () => attention.dispose());
  runtime.start();
  mainWindow = createMainWindow(paths);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow(paths);
  });
  app.on('before-quit', () => runtime.dispose());
});

app.on('window-all-closed', () => app.quit());
