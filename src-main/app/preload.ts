// The preload of the iios window (sandboxed, context-isolated): exposes exactly window.iios, the raw
// transport of the contract. Nothing of Node or Electron leaks to the page.
import { contextBridge, ipcRenderer } from 'electron';
import { isEventName, isInvokeChannel } from '../../src-shared/contract/contract.ts';
import { ErrorCodes } from '../../src-shared/contract/envelope.ts';
import { EVENT_CHANNEL } from './channels.ts';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => {
  if (typeof name !== 'string') return;
  for (const listener of listeners.get(name) ?? []) listener(payload);
});

contextBridge.exposeInMainWorld('iios', {
  invoke(channel: unknown, args: unknown): Promise<unknown> {
    if (!isInvokeChannel(channel)) {
      return Promise.resolve({ error: { message: `unknown channel ${String(channel)}`, code: ErrorCodes.unknownChannel } });
    }
    return ipcRenderer.invoke(channel, args);
  },
  on(event: unknown, listener: unknown): () => void {
    if (!isEventName(event) || typeof listener !== 'function') throw new Error('iios.on(event, listener): unknown event or no listener');
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    return () => {
      set.delete(listener as Listener);
    };
  },
});
