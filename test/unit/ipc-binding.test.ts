// The Electron ipcMain binding, exercised through its narrow interface (the Electron binary is not
// installed on this machine): every contract channel registered once, foreign senders refused,
// arguments validated before the shared handler runs, events sent to the window only.
import { describe, expect, it } from 'vitest';
import { invokeChannels, type Envelope } from '../../src-shared/contract/index.ts';
import { bindIpc, pageUrl, senderCheck, type InvokeEventLike, type IpcMainLike } from '../../src-main/app/ipc.ts';
import { EVENT_CHANNEL } from '../../src-main/app/channels.ts';
import { EventHub } from '../../src-main/services/events.ts';
import { createHandlers } from '../../src-main/services/handlers.ts';

type Listener = (event: InvokeEventLike, args: unknown) => Promise<Envelope>;

/** A recorder with ipcMain's registration rules (handle twice on one channel throws, as Electron does). */
class IpcRegistry implements IpcMainLike {
  readonly listeners = new Map<string, Listener>();
  handle(channel: string, listener: Listener) {
    if (this.listeners.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.listeners.set(channel, listener);
  }
  removeHandler(channel: string) {
    this.listeners.delete(channel);
  }
  call(channel: string, event: InvokeEventLike, args?: unknown) {
    const l = this.listeners.get(channel);
    if (!l) throw new Error(`No handler registered for '${channel}'`);
    return l(event, args);
  }
}

const PAGE = 'file:///opt/iios/resources/app.asar/dist/renderer/index.html';
const WINDOW_ID = 7;
const fromWindow: InvokeEventLike = { sender: { id: WINDOW_ID }, senderFrame: { url: PAGE, parent: null } };

function setup() {
  const ipc = new IpcRegistry();
  const events = new EventHub();
  let ejected: string | null = null;
  const picks: { title: string; senderId: number | undefined }[] = [];
  const handlers = createHandlers({
    appInfo: () => ({ name: 'iios', version: '1.2.3', platform: 'linux', arch: 'x64', elevated: false }),
    drives: {
      list: async () => [],
      eject: async (id) => {
        ejected = id;
        return { ejected: true };
      },
    },
    pickPath: async (args, ctx) => {
      picks.push({ title: args.title, senderId: ctx.senderId });
      return { cancelled: true };
    },
  });
  const sent: unknown[][] = [];
  const unbind = bindIpc({
    ipcMain: ipc,
    handlers,
    events,
    isTrustedSender: senderCheck(() => [WINDOW_ID], PAGE),
    eventTargets: () => [{ isDestroyed: () => false, send: (...args: unknown[]) => sent.push(args) }],
  });
  return { ipc, events, unbind, sent, picks, ejected: () => ejected };
}

describe('ipcMain binding', () => {
  it('registers each contract channel exactly once and refuses a second binding', () => {
    const { ipc, unbind } = setup();
    try {
      expect([...ipc.listeners.keys()].sort()).toEqual([...invokeChannels].sort());
      expect(() => bindIpc({ ipcMain: ipc, handlers: {} as never, events: new EventHub(), isTrustedSender: () => true, eventTargets: () => [] })).toThrow(
        /already bound/,
      );
    } finally {
      unbind();
    }
    expect(ipc.listeners.size).toBe(0);
  });

  it('answers the app window with envelopes from the shared handlers', async () => {
    const { ipc, unbind, ejected } = setup();
    try {
      expect(await ipc.call('app.info', fromWindow)).toEqual({
        result: { name: 'iios', version: '1.2.3', platform: 'linux', arch: 'x64', elevated: false, transport: 'electron', nativePickers: true },
      });
      expect(await ipc.call('drives.eject', fromWindow, { id: '/dev/sdb' })).toEqual({ result: { ejected: true } });
      expect(ejected()).toBe('/dev/sdb');
    } finally {
      unbind();
    }
  });

  it('opens a file chooser for the calling window only: its webContents id reaches the picker', async () => {
    const { ipc, unbind, picks } = setup();
    try {
      const args = { mode: 'open-folder', title: 'Choose a bundle folder' };
      expect(await ipc.call('app.pickPath', fromWindow, args)).toEqual({ result: { cancelled: true } });
      expect(await ipc.call('app.pickPath', { ...fromWindow, sender: { id: 8 } }, args)).toMatchObject({ error: { code: 'E_FORBIDDEN' } });
      expect(picks).toEqual([{ title: 'Choose a bundle folder', senderId: WINDOW_ID }]);
    } finally {
      unbind();
    }
  });

  it.each<[string, InvokeEventLike]>([
    ['another webContents', { sender: { id: 8 }, senderFrame: { url: PAGE, parent: null } }],
    ['a subframe of the window', { sender: { id: WINDOW_ID }, senderFrame: { url: PAGE, parent: {} } }],
    ['a page navigated elsewhere', { sender: { id: WINDOW_ID }, senderFrame: { url: 'https://evil.example/index.html', parent: null } }],
    ['another local file', { sender: { id: WINDOW_ID }, senderFrame: { url: 'file:///tmp/index.html', parent: null } }],
    ['a destroyed frame', { sender: { id: WINDOW_ID }, senderFrame: null }],
  ])('refuses %s without running the handler', async (_name, event) => {
    const { ipc, unbind, ejected } = setup();
    try {
      expect(await ipc.call('drives.eject', event, { id: '/dev/sdb' })).toMatchObject({ error: { code: 'E_FORBIDDEN' } });
      expect(ejected()).toBeNull();
    } finally {
      unbind();
    }
  });

  it('validates arguments before the handler runs', async () => {
    const { ipc, unbind, ejected } = setup();
    try {
      expect(await ipc.call('drives.eject', fromWindow, { id: '/dev/sdb; rm -rf /' + '\n', extra: 1 })).toMatchObject({ error: { code: 'E_BAD_ARGS' } });
      expect(await ipc.call('drives.eject', fromWindow, 'sdb')).toMatchObject({ error: { code: 'E_BAD_ARGS' } });
      expect(ejected()).toBeNull();
    } finally {
      unbind();
    }
  });

  it('sends pushed events to the window on one channel, and stops after unbinding', () => {
    const { events, unbind, sent } = setup();
    events.emit('drives.changed', { drives: [] });
    unbind();
    events.emit('drives.changed', { drives: [] });
    expect(sent).toEqual([[EVENT_CHANNEL, 'drives.changed', { drives: [] }]]);
  });

  it('compares page URLs without query or fragment', () => {
    expect(pageUrl(`${PAGE}#/targets`)).toBe(PAGE);
    expect(pageUrl(`${PAGE}?x=1`)).toBe(PAGE);
    expect(pageUrl('not a url')).toBe('');
  });
});
