// The loopback bridge: the contract's handlers and events over a WebSocket on 127.0.0.1, guarded by a
// token, plus the built renderer over HTTP on the same port, so the unchanged renderer runs in a browser.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { BRIDGE_WS_PATH, BridgeClientMessage, type BridgeServerMessage } from '../../src-shared/contract/bridge-protocol.ts';
import { errorEnvelope } from '../../src-shared/contract/envelope.ts';
import { dispatch, type Handlers } from '../services/handlers.ts';
import type { EventHub } from '../services/events.ts';
import { serveStatic } from './static-files.ts';
import { newToken, tokensEqual } from './token.ts';

export const BRIDGE_HOST = '127.0.0.1';

export interface BridgeOptions {
  handlers: Handlers;
  events: EventHub;
  /** 0 or undefined: a random free port. */
  port?: number;
  /** Only 127.0.0.1 is accepted: the bridge is never reachable from another machine. */
  host?: string;
  token?: string;
  /** The built renderer to serve over HTTP (dist/renderer); null serves no files. */
  staticDir?: string | null;
  /** Told when a connection is dropped for a bad frame (the server goes on); `iios serve` logs it. */
  onConnectionError?: (err: Error) => void;
}

/** The largest WebSocket message accepted; a bigger one closes its connection (the contract's messages are small). */
export const MAX_FRAME_BYTES = 1 << 20;

export interface Bridge {
  port: number;
  token: string;
  /** The page to open: the token travels in the fragment, which browsers never send to a server. */
  url: string;
  close(): Promise<void>;
}

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const host = opts.host ?? BRIDGE_HOST;
  if (host !== BRIDGE_HOST) throw new Error(`the bridge listens on ${BRIDGE_HOST} only (asked for ${host})`);
  const token = opts.token ?? newToken();
  let port = 0;
  // Host and Origin must name this loopback server: a web page elsewhere (or DNS rebinding) gets nothing.
  const allowedHosts = () => [`${BRIDGE_HOST}:${port}`, `localhost:${port}`];
  const hostOk = (req: IncomingMessage) => allowedHosts().includes(req.headers.host ?? '');
  const originOk = (req: IncomingMessage) =>
    req.headers.origin === undefined || allowedHosts().some((h) => req.headers.origin === `http://${h}`);

  const server: Server = createServer((req, res) => {
    if (!hostOk(req)) {
      res.writeHead(421).end();
      return;
    }
    if (!opts.staticDir) {
      res.writeHead(404).end();
      return;
    }
    serveStatic(opts.staticDir, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req, socket, head) => {
    // A peer that resets mid-handshake must not become an unhandled 'error' (which would end the process).
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== BRIDGE_WS_PATH) return refuse(socket, '404 Not Found');
    if (!hostOk(req) || !originOk(req)) return refuse(socket, '403 Forbidden');
    if (!tokensEqual(token, url.searchParams.get('token'))) return refuse(socket, '401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const send = (msg: BridgeServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const unsubscribe = opts.events.subscribe((event, payload) => send({ type: 'event', event, payload }));
    ws.on('close', unsubscribe);
    // A frame ws refuses (invalid UTF-8 in a text frame, over MAX_FRAME_BYTES, a bad opcode or mask, …) arrives
    // as an 'error' on this connection; without a listener Node ends the whole process, and with it every other
    // connection and a running job. It is this peer's fault: drop this connection only.
    ws.on('error', (err) => {
      opts.onConnectionError?.(err);
      ws.terminate();
    });
    ws.on('message', (data, isBinary) => {
      let msg: BridgeClientMessage;
      try {
        if (isBinary) throw new Error('binary frame');
        msg = BridgeClientMessage.parse(JSON.parse(String(data)));
      } catch {
        ws.close(1008, 'malformed message');
        return;
      }
      // dispatch answers every failure with an error envelope; should it ever reject, the peer still gets one,
      // as the promise must not become an unhandled rejection (which ends the process, too).
      void dispatch(opts.handlers, msg.channel, msg.args, { transport: 'bridge' })
        .catch((err: unknown) => errorEnvelope(err))
        .then((envelope) => send({ type: 'result', id: msg.id, envelope }))
        .catch(() => ws.terminate());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://${BRIDGE_HOST}:${port}/#token=${token}`,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
