// An in-memory window.iios for component tests: the unit boundary of the renderer. Calls go through the real
// `dispatch` (argument validation with the contract's zod schemas, error envelopes) into in-memory handlers,
// and the renderer's real client re-validates every result and event payload against the same contract.
import { eventContract, type EventName, type EventPayload, type IiosTransport } from '../../../../src-shared/contract/index.ts';
import { dispatch, type Handlers } from '../../../../src-main/services/handlers.ts';

export interface FakeIios {
  transport: IiosTransport;
  handlers: Handlers;
  /** Every call the renderer made, in order. */
  calls: { channel: string; args: unknown }[];
  /** Pushes an event to the renderer; throws when the payload breaks the contract (a bad test, not a bad UI). */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
}

export function createFakeIios(handlers: Handlers): FakeIios {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const calls: { channel: string; args: unknown }[] = [];
  return {
    handlers,
    calls,
    transport: {
      invoke(channel, args) {
        calls.push({ channel, args });
        return dispatch(handlers, channel, args, { transport: 'bridge' });
      },
      on(event, listener) {
        let set = listeners.get(event);
        if (!set) listeners.set(event, (set = new Set()));
        set.add(listener);
        return () => set.delete(listener);
      },
    },
    emit(event, payload) {
      const checked = eventContract[event].payload.parse(payload);
      for (const l of listeners.get(event) ?? []) l(checked);
    },
  };
}
