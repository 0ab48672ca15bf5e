// One bad frame must close one connection, never `iios serve`: the server (and a job it runs) goes on.
// First the frames that ended it (invalid UTF-8, over the size limit), then fast-check throwing random frames
// at it over a raw TCP socket that has done the WebSocket handshake with the token: random opcodes, flags,
// masks, payloads (valid and invalid UTF-8, JSON invokes, binary, up to 3 MiB), lengths that lie, messages
// split into continuation frames at any byte, the stream cut into arbitrary TCP writes. The property: the
// server still answers a valid request on a new connection afterwards.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, openRawWebSocket, textFrame, type RawFrame } from '../support/raw-websocket.ts';
import { answersValidRequest, buildServeBundle, startBundledServe, type BundledServe } from '../support/serve-bundle.ts';

const MiB = 1 << 20;

/** Byte sequences that are not UTF-8: a lone continuation, a cut sequence, an overlong NUL, a surrogate, > U+10FFFF. */
const INVALID_UTF8 = [[0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xf0, 0x90, 0x28, 0xbc], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xe2, 0x82]];

let bundle: Awaited<ReturnType<typeof buildServeBundle>>;
let serve: BundledServe;
let restarts = 0;

/** The server for the next try: the same one while it lives, a fresh one after a frame killed it. */
async function liveServer(): Promise<BundledServe> {
  if (!serve.alive()) {
    restarts++;
    serve = await startBundledServe(bundle);
  }
  return serve;
}

/** Sends the frames' bytes (cut into TCP writes), waits for the server to close or 200 ms, then hangs up. */
async function throwFrames(frames: RawFrame[], chunkSizes?: number[]): Promise<void> {
  const s = await liveServer();
  const conn = await openRawWebSocket(s.port, s.token);
  await conn.write(Buffer.concat(frames.map(encodeFrame)), chunkSizes);
  await Promise.race([conn.closed, new Promise((r) => setTimeout(r, 200))]);
  conn.socket.destroy();
}

/** Whether the server that took the frames still answers, and is the same process. */
async function survived(): Promise<boolean> {
  const pid = serve.child.pid;
  return serve.alive() && (await answersValidRequest(serve.port, serve.token)) && serve.alive() && serve.child.pid === pid;
}

beforeAll(async () => {
  bundle = await buildServeBundle();
  serve = await startBundledServe(bundle);
}, 120_000);

afterAll(async () => {
  await serve?.stop();
});

describe('iios serve and frames it refuses', () => {
  it.each<[string, RawFrame[]]>([
    ['a text frame with invalid UTF-8', [textFrame(Uint8Array.from([0xc3, 0x28]))]],
    ['a text frame claiming 1 MiB + 1 byte', [{ ...textFrame('{"type":"invoke"'), declaredLength: MiB + 1 }]],
    ['a message of 2 MiB in continuation frames', [{ ...textFrame(Buffer.alloc(MiB, 0x20)), fin: false }, { ...textFrame(Buffer.alloc(MiB, 0x20)), opcode: 0 }]],
    ['invalid UTF-8 split across continuation frames', [{ ...textFrame(Uint8Array.from([0x22, 0xe2])), fin: false }, { ...textFrame(Uint8Array.from([0x28, 0xa1])), opcode: 0 }]],
    ['a close frame whose reason is invalid UTF-8', [{ ...textFrame(Uint8Array.from([0x03, 0xe8, 0xc3, 0x28])), opcode: 8 }]],
    ['an unmasked frame', [{ ...textFrame('{}'), masked: false }]],
    ['a reserved opcode with RSV bits', [{ ...textFrame('x'), opcode: 3, rsv: 7 }]],
    ['a 64-bit length of 2^63', [{ ...textFrame(''), declaredLength: 2n ** 63n }]],
  ])('%s closes that connection; the server answers the next one', async (_what, frames) => {
    const s = await liveServer();
    const conn = await openRawWebSocket(s.port, s.token);
    await conn.write(Buffer.concat(frames.map(encodeFrame)));
    await Promise.race([conn.closed, new Promise((r) => setTimeout(r, 3000))]);
    expect(conn.socket.destroyed || conn.socket.readableEnded).toBe(true);
    expect(await survived()).toBe(true);
    expect(serve.output()).not.toMatch(/Unhandled 'error' event|WS_ERR_/);
  });

  it('another connection open at the time keeps working', async () => {
    const s = await liveServer();
    const bystander = await openRawWebSocket(s.port, s.token);
    await throwFrames([textFrame(Uint8Array.from([0xff]))]);
    await bystander.write(encodeFrame(textFrame(JSON.stringify({ type: 'invoke', id: 1, channel: 'app.info' }))));
    const deadline = Date.now() + 5000;
    while (!bystander.received().includes('"id":1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(bystander.received().toString('latin1')).toContain('"type":"result","id":1');
    bystander.socket.destroy();
  });
});

const payload = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }).map((t) => new Uint8Array(Buffer.from(t))) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...INVALID_UTF8), fc.string({ maxLength: 20 }))
      .map(([a, bad, b]) => new Uint8Array(Buffer.concat([Buffer.from(a), Buffer.from(bad), Buffer.from(b)]))),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({
        type: fc.constantFrom('invoke', 'result', 'event', ''),
        id: fc.oneof(fc.nat(), fc.double(), fc.string()),
        channel: fc.constantFrom('app.info', 'drives.list', 'jobs.current', 'nope', 'constructor', '__proto__', 'toString'),
        args: fc.jsonValue({ maxDepth: 2 }),
      })
      .map((m) => new Uint8Array(Buffer.from(JSON.stringify(m)))),
  },
  { weight: 1, arbitrary: fc.record({ size: fc.integer({ min: 0, max: 3 * MiB }), fill: fc.integer({ min: 0, max: 255 }) }).map(({ size, fill }) => new Uint8Array(size).fill(fill)) },
);

const frame: fc.Arbitrary<RawFrame> = fc.record(
  {
    fin: fc.boolean(),
    opcode: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(0, 1, 2, 8, 9, 10) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) }),
    rsv: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 7 }) }),
    masked: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    payload,
    declaredLength: fc.oneof(fc.nat({ max: 2 * MiB }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
    lengthForm: fc.constantFrom('shortest' as const, '16' as const, '64' as const),
  },
  { requiredKeys: ['fin', 'opcode', 'rsv', 'masked', 'payload'] },
);

/** One text or binary message cut into a first frame and continuations at random byte positions. */
const fragmentedMessage: fc.Arbitrary<RawFrame[]> = fc
  .tuple(payload, fc.constantFrom(1, 2), fc.uniqueArray(fc.nat({ max: 400 }), { maxLength: 5 }), fc.boolean())
  .map(([bytes, opcode, cuts, ping]) => {
    const at = [...new Set([0, ...cuts.filter((c) => c < bytes.length).sort((a, b) => a - b), bytes.length])];
    const parts = at.slice(1).map((end, i) => bytes.subarray(at[i], end));
    if (parts.length === 0) parts.push(new Uint8Array());
    const frames: RawFrame[] = parts.map((p, i) => ({ fin: i === parts.length - 1, opcode: i === 0 ? opcode : 0, rsv: 0, masked: true, payload: p }));
    if (ping && frames.length > 1) frames.splice(1, 0, { fin: true, opcode: 9, rsv: 0, masked: true, payload: Buffer.from('ping') });
    return frames;
  });

describe('fuzzing the bridge', () => {
  it('survives any sequence of frames from a connection that holds the token', async () => {
    const frames = fc.array(fc.oneof(frame.map((f) => [f]), fragmentedMessage), { minLength: 1, maxLength: 6 }).map((l) => l.flat());
    const tcpWrites = fc.option(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(frames, tcpWrites, async (fs, chunks) => {
        await throwFrames(fs, chunks);
        return survived();
      }),
      { numRuns: Number(process.env.IIOS_FUZZ_RUNS ?? 150), seed: process.env.IIOS_FUZZ_SEED ? Number(process.env.IIOS_FUZZ_SEED) : undefined },
    );
    expect(restarts).toBe(0);
  }, 600_000);
});
