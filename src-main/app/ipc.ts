// Binds the contract to Electron's ipcMain: one ipcMain.handle per invoke channel, registered once,
// each call checked for its sender and validated (dispatch) before the shared handler runs; pushed
// events go to the app's own window. Written against a narrow interface so it is testable without Electron.
import { ErrorCodes, invokeChannels, type Envelope } from '../../src-shared/contract/index.ts';
import type { EventHub } from '../services/events.ts';
import { dispatch, type Handlers } from '../services/handlers.ts';
import { EVENT_CHANNEL } from './channels.ts';

/** The parts of an IpcMainInvokeEvent the sender check reads. */
export interface InvokeEventLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, args: unknown) => Promise<Envelope>): void;
  removeHandler(channel: string): void;
}

export interface EventTarget {
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

export interface IpcBindingOptions {
  ipcMain: IpcMainLike;
  handlers: Handlers;
  events: EventHub;
  /** True only for the app's own window, main frame, showing the app's own page. */
  isTrustedSender(event: InvokeEventLike): boolean;
  /** Where pushed events go (the app's window webContents). */
  eventTargets(): EventTarget[];
}

/** Strips query and fragment: the renderer's page is identified by scheme + path. */
export function pageUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '';
  }
}

/** The standard sender check: a known webContents id, its main frame, at the expected page URL. */
export function senderCheck(allowedIds: () => number[], expectedPageUrl: string) {
  const expected = pageUrl(expectedPageUrl);
  return (event: InvokeEventLike): boolean => {
    const frame = event.senderFrame;
    return (
      allowedIds().includes(event.sender.id) && frame !== null && frame.parent === null && expected !== '' && pageUrl(frame.url) === expected
    );
  };
}

let bound: IpcMainLike | null = null;

/** Registers every contract channel once; returns the unbinding. Binding twice is a programming error. */
export function bindIpc(opts: IpcBindingOptions): () => void {
  if (bound === opts.ipcMain) throw new Error('iios: the IPC contract is already bound');
  bound = opts.ipcMain;
  for (const channel of invokeChannels) {
    opts.ipcMain.handle(channel, async (event, args) => {
      if (!opts.isTrustedSender(event)) {
        return { error: { message: `${channel}: refused: the caller is not the iios window`, code: ErrorCodes.forbidden } };
      }
      return dispatch(opts.handlers, channel, args, { transport: 'electron', senderId: event.sender.id });
    });
  }
  const unsubscribe = opts.events.subscribe((event, payload) => {
    for (const target of opts.eventTargets()) if (!target.isDestroyed()) target.send(EVENT_CHANNEL, event, payload);
  });
  return () => {
    unsubscribe();
    for (const channel of invokeChannels) opts.ipcMain.removeHandler(channel);
    bound = null;
  };
}
