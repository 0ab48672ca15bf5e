// The two shapes of the renderer's API. `IiosTransport` is what window.iios is (exposed by the Electron
// preload or installed by the browser bridge client): raw envelopes, untyped. `IiosClient` is the typed
// wrapper the renderer code calls: `await client.invoke('drives.list')` returns Drive[] or throws IiosError.
import * as z from 'zod';
import {
  eventContract,
  invokeContract,
  isEventName,
  isInvokeChannel,
  type EventName,
  type EventPayload,
  type InvokeArgsTuple,
  type InvokeChannel,
  type InvokeResult,
} from './contract.ts';
import { ErrorCodes, IiosError, unwrapEnvelope, type Envelope } from './envelope.ts';
import { zodFieldIssues } from './error-details.ts';

export type Unsubscribe = () => void;

export interface IiosTransport {
  invoke(channel: string, args: unknown): Promise<Envelope>;
  on(event: string, listener: (payload: unknown) => void): Unsubscribe;
}

export interface IiosClient {
  invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgsTuple<C>): Promise<InvokeResult<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): Unsubscribe;
}

/**
 * Wraps a transport: checks arguments before sending (a typo fails here, with the zod message),
 * unwraps the envelope into a result or an IiosError, and validates results and event payloads.
 */
export function createIiosClient(transport: IiosTransport): IiosClient {
  return {
    async invoke(channel, ...rest) {
      if (!isInvokeChannel(channel)) throw new IiosError(`unknown channel ${String(channel)}`, ErrorCodes.unknownChannel);
      const spec = invokeContract[channel];
      const args = spec.args.safeParse(rest[0]);
      if (!args.success) {
        throw new IiosError(`${channel}: ${z.prettifyError(args.error)}`, ErrorCodes.badArgs, { kind: 'invalid', issues: zodFieldIssues(args.error) });
      }
      const result = spec.result.safeParse(unwrapEnvelope(await transport.invoke(channel, rest[0])));
      if (!result.success) throw new IiosError(`${channel}: unexpected result: ${z.prettifyError(result.error)}`, ErrorCodes.badResult);
      return result.data as InvokeResult<typeof channel>;
    },
    on(event, listener) {
      if (!isEventName(event)) throw new IiosError(`unknown event ${String(event)}`, ErrorCodes.unknownChannel);
      const schema = eventContract[event].payload;
      return transport.on(event, (payload) => {
        const parsed = schema.safeParse(payload);
        if (parsed.success) listener(parsed.data as EventPayload<typeof event>);
        else console.warn(`iios: dropped a malformed ${event} event: ${z.prettifyError(parsed.error)}`);
      });
    },
  };
}
