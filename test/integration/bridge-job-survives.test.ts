// A bad frame sent to `iios serve` while it runs a job ends that connection only: the job goes on to a
// verified stick, and its events keep reaching the client that started it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execa } from 'execa';
import WebSocket from 'ws';
import { encodeFrame, openRawWebSocket, textFrame } from '../support/raw-websocket.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { startServe, type ServeProcess } from '../support/serve.ts';
import { buildServeBundle } from '../support/serve-bundle.ts';

interface JobNotice {
  event: { kind: string; phase?: string };
  snapshot: { status: string; targets: { phase: string | null; status: string; verified: boolean }[] };
}

let bundle: TestBundle;
let work: string;
let serve: ServeProcess;

beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 24 << 20, compress: false });
  work = await mkdtemp(join(tmpdir(), 'iios-bridge-job-'));
  const { rendererDir } = await buildServeBundle();
  serve = await startServe({ env: { IIOS_RENDERER_DIR: rendererDir }, timeoutMs: 60_000 });
}, 180_000);

/** What a helper orphaned by a dead server would leave over this test's image: its mounts and loop devices. */
async function cleanLeftovers(image: string): Promise<void> {
  const loops = (await execa('losetup', ['-j', image, '-O', 'NAME', '-n'], { reject: false })).stdout.split('\n').filter(Boolean);
  for (const loop of loops) {
    const mounts = (await execa('findmnt', ['-rn', '-o', 'TARGET', '-S', loop.trim()], { reject: false })).stdout.split('\n').filter(Boolean);
    for (const m of mounts.reverse()) await execa('umount', ['-l', m], { reject: false });
    await execa('losetup', ['-d', loop.trim()], { reject: false });
  }
}

afterAll(async () => {
  await serve?.stop();
  if (work) await cleanLeftovers(join(work, 'stick.img'));
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

it('a job started over the bridge finishes verified though another connection sent bad frames mid-job', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${serve.port}/ws?token=${serve.token}`);
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const notices: JobNotice[] = [];
  let started: { result?: { jobId: string }; error?: { message: string } } | null = null;
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { type: string; id?: number; event?: string; payload?: unknown; envelope?: typeof started };
    if (msg.type === 'result' && msg.id === 1) started = msg.envelope ?? null;
    if (msg.type === 'event' && msg.event === 'jobs.event') notices.push(msg.payload as JobNotice);
  });
  const target = join(work, 'stick.img');
  ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'jobs.start', args: { profileId: 'appliance', bundleDir: bundle.dir, targets: [{ path: target, sizeBytes: 2 * 1024 ** 3 }], namePattern: 'fuzz' } }));

  const until = async (what: string, ok: () => boolean, ms: number) => {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline || serve.child.exitCode !== null) throw new Error(`${what}: not seen (serve ${serve.child.exitCode === null ? 'running' : 'ended'})\n${serve.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await until('jobs.start answered', () => started !== null, 120_000);
  expect(started!.error?.message).toBeUndefined();
  // mid-job: the helper is writing the slots
  await until('the slots phase', () => notices.some((n) => n.snapshot.targets[0]?.phase === 'slots'), 240_000);
  const phaseAtAttack = notices.at(-1)!.snapshot.targets[0]!.phase;

  for (const frame of [textFrame(Uint8Array.from([0xc3, 0x28])), { ...textFrame('{'), declaredLength: (1 << 20) + 1 }]) {
    const attacker = await openRawWebSocket(serve.port, serve.token);
    await attacker.write(encodeFrame(frame));
    await attacker.closed;
  }

  await until('the job to end', () => ['done', 'failed', 'cancelled'].includes(notices.at(-1)?.snapshot.status ?? ''), 600_000);
  const last = notices.at(-1)!.snapshot;
  expect(phaseAtAttack).not.toBe('complete');
  expect(last.status).toBe('done');
  expect(last.targets[0]).toMatchObject({ status: 'done', verified: true });
  expect(serve.child.exitCode).toBeNull();
  expect(serve.output()).toMatch(/closed a connection that sent a bad frame \(Invalid WebSocket frame: invalid UTF-8 sequence\)/);
  ws.close();
}, 900_000);
