// The one place services publish pushed events; each transport (ipcMain, the bridge) subscribes to it.
import type { EventName, EventPayload } from '../../src-shared/contract/index.ts';

export type EventListener = (event: EventName, payload: unknown) => void;

export interface EventSink {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
}

export class EventHub implements EventSink {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event, payload);
      } catch (err) {
        // A broken subscriber (a closed window, a dead socket) must not stop the others.
        console.error(`iios: event listener for ${event} failed:`, err);
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
