// The loopback bridge's wire format: JSON text frames on a WebSocket at /ws?token=…
// client -> server: invoke; server -> client: result (an envelope for that id) or a pushed event.
import * as z from 'zod';

export const BRIDGE_WS_PATH = '/ws';

export const BridgeClientMessage = z.strictObject({
  type: z.literal('invoke'),
  id: z.number().int().nonnegative(),
  channel: z.string(),
  args: z.unknown().optional(),
});
export type BridgeClientMessage = z.infer<typeof BridgeClientMessage>;

export const BridgeServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: z.number(), envelope: z.unknown() }),
  z.object({ type: z.literal('event'), event: z.string(), payload: z.unknown() }),
]);
export type BridgeServerMessage = z.infer<typeof BridgeServerMessage>;
