// The browser side of the loopback bridge: a window.iios transport over the WebSocket served by
// `iios serve`, so the renderer runs unchanged in a plain browser (and in Playwright tests).
import type { IiosTransport, Unsubscribe } from '../../src-shared/contract/api.ts';
import { BRIDGE_WS_PATH, BridgeServerMessage } from '../../src-shared/contract/bridge-protocol.ts';
import { ErrorCodes, type Envelope } from '../../src-shared/contract/envelope.ts';

/** The subset of the browser WebSocket that the client needs (also met by the `ws` package in Node tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface BridgeConfig {
  /** ws://127.0.0.1:PORT/ws */
  wsUrl: string;
  token: string;
}

export interface BridgeTransport extends IiosTransport {
  close(): void;
}

const OPEN = 1;
const RECONNECT_MS = 1000;

/** Reads the bridge address from the page's own URL: the token comes in the fragment (#token=…) or query. */
export function bridgeConfigFromLocation(loc: Pick<Location, 'protocol' | 'host' | 'hash' | 'search'>): BridgeConfig | null {
  const token = new URLSearchParams(loc.hash.replace(/^#/, '')).get('token') ?? new URLSearchParams(loc.search).get('token');
  if (!token || !/^https?:$/.test(loc.protocol)) return null;
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return { wsUrl: `${scheme}//${loc.host}${BRIDGE_WS_PATH}`, token };
}

export function createBridgeTransport(
  config: BridgeConfig,
  factory: WebSocketFactory = (url) => new WebSocket(url) as unknown as WebSocketLike,
): BridgeTransport {
  const url = `${config.wsUrl}?token=${encodeURIComponent(config.token)}`;
  const pending = new Map<number, (env: Envelope) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let queue: string[] = [];
  let nextId = 1;
  let socket: WebSocketLike | null = null;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | null = null;

  const failPending = (message: string) => {
    for (const resolve of pending.values()) resolve({ error: { message, code: ErrorCodes.disconnected } });
    pending.clear();
    queue = [];
  };

  const connect = (): WebSocketLike => {
    const ws = factory(url);
    socket = ws;
    ws.onopen = () => {
      for (const frame of queue) ws.send(frame);
      queue = [];
    };
    ws.onmessage = (ev) => {
      const parsed = BridgeServerMessage.safeParse(JSON.parse(String(ev.data)));
      if (!parsed.success) return;
      const msg = parsed.data;
      if (msg.type === 'result') {
        pending.get(msg.id)?.(msg.envelope as Envelope);
        pending.delete(msg.id);
      } else {
        for (const listener of listeners.get(msg.event) ?? []) listener(msg.payload);
      }
    };
    ws.onerror = () => {};
    ws.onclose = () => {
      if (socket === ws) socket = null;
      failPending('the connection to iios was closed');
      // Keep listening for events: reconnect while anyone is subscribed.
      if (!closed && listeners.size > 0 && !retry) {
        retry = setTimeout(() => {
          retry = null;
          if (!closed && !socket) connect();
        }, RECONNECT_MS);
      }
    };
    return ws;
  };

  const ensureSocket = () => socket ?? connect();

  return {
    invoke(channel, args) {
      if (closed) return Promise.resolve({ error: { message: 'the bridge client is closed', code: ErrorCodes.disconnected } });
      const id = nextId++;
      const frame = JSON.stringify(args === undefined ? { type: 'invoke', id, channel } : { type: 'invoke', id, channel, args });
      return new Promise<Envelope>((resolve) => {
        pending.set(id, resolve);
        const ws = ensureSocket();
        if (ws.readyState === OPEN) ws.send(frame);
        else queue.push(frame);
      });
    },
    on(event, listener): Unsubscribe {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      ensureSocket();
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(event);
      };
    },
    close() {
      closed = true;
      if (retry) clearTimeout(retry);
      socket?.close();
      socket = null;
      failPending('the bridge client is closed');
    },
  };
}
