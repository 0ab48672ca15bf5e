// A WebSocket client written by hand over a plain TCP socket, so a test can send what no real client library
// would: invalid UTF-8 in text frames, lengths that lie, reserved opcodes and bits, unmasked frames, messages
// split into continuation frames at any byte, and the whole stream cut into arbitrary TCP writes.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawFrame {
  fin: boolean;
  /** 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong; the others are reserved. */
  opcode: number;
  /** RSV1..3 as three bits (0 in any frame a server without extensions accepts). */
  rsv: number;
  /** Clients must mask; an unmasked frame is a protocol error. */
  masked: boolean;
  payload: Uint8Array;
  /** The length the header claims, when it should not be the payload's own (bigint: up to 2^64 - 1). */
  declaredLength?: number | bigint;
  /** Header length field form: the shortest that fits, or 16- or 64-bit whatever the length. */
  lengthForm?: 'shortest' | '16' | '64';
}

export function encodeFrame(f: RawFrame): Buffer {
  const len = BigInt(f.declaredLength ?? f.payload.length);
  const form = f.lengthForm ?? 'shortest';
  const head: number[] = [(f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (f.opcode & 0x0f)];
  const maskBit = f.masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (form === 'shortest' && len < 126n) head.push(maskBit | Number(len));
  else if (form !== '64' && len < 65536n) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(len));
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt.asUintN(64, len));
  }
  const payload = Buffer.from(f.payload);
  if (!f.masked) return Buffer.concat([Buffer.from(head), ext, payload]);
  const key = randomBytes(4);
  for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
  return Buffer.concat([Buffer.from(head), ext, key, payload]);
}

/** A text frame a real client would send (masked, final). */
export function textFrame(text: string | Uint8Array): RawFrame {
  return { fin: true, opcode: 1, rsv: 0, masked: true, payload: typeof text === 'string' ? Buffer.from(text) : text };
}

export interface RawConnection {
  socket: Socket;
  /** Bytes the server sent after its 101 answer. */
  received(): Buffer;
  /** Resolves when the server has closed (or reset) the TCP connection. */
  closed: Promise<void>;
  /** Writes bytes cut into the given chunk sizes (cycled), each a separate write. */
  write(bytes: Buffer, chunkSizes?: number[]): Promise<void>;
}

/** Opens /ws?token=… with a hand-written upgrade request; rejects unless the server answers 101. */
export function openRawWebSocket(port: number, token: string, timeoutMs = 10_000): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let after = Buffer.alloc(0);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => {});
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no WebSocket handshake answer from 127.0.0.1:${port} in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      if (!upgraded) reject(new Error(`127.0.0.1:${port} closed during the handshake: ${buf.toString('latin1').split('\r\n')[0] ?? ''}`));
    });
    socket.on('data', (d: Buffer) => {
      if (upgraded) {
        after = Buffer.concat([after, d]);
        return;
      }
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = buf.subarray(0, buf.indexOf('\r\n')).toString('latin1');
      if (!/^HTTP\/1\.1 101 /.test(status)) {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(`handshake refused: ${status}`));
        return;
      }
      upgraded = true;
      clearTimeout(timer);
      after = buf.subarray(end + 4);
      resolve({
        socket,
        received: () => after,
        closed,
        write: async (bytes, chunkSizes = [bytes.length || 1]) => {
          let at = 0;
          for (let i = 0; at < bytes.length; i++) {
            const n = Math.max(1, chunkSizes[i % chunkSizes.length]!);
            if (socket.destroyed) return;
            const ok = socket.write(bytes.subarray(at, at + n));
            at += n;
            if (!ok) await new Promise<void>((r) => (socket.destroyed ? r() : socket.once('drain', r).once('close', r)));
          }
        },
      });
    });
    socket.once('connect', () => {
      socket.write(
        [
          `GET /ws?token=${encodeURIComponent(token)} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
  });
}
