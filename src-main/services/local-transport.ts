// An in-process window.iios: the same handlers and events as the Electron and bridge transports, with
// every value passed through JSON as it would be on the wire. For renderer tests in jsdom and tools.
import type { IiosTransport } from '../../src-shared/contract/api.ts';
import type { EventHub } from './events.ts';
import { dispatch, type Handlers } from './handlers.ts';

const wire = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

export function createLocalTransport(handlers: Handlers, events: EventHub): IiosTransport {
  return {
    invoke: async (channel, args) => wire(await dispatch(handlers, channel, wire(args), { transport: 'local' })),
    on(event, listener) {
      return events.subscribe((name, payload) => {
        if (name === event) listener(wire(payload));
      });
    },
  };
}
