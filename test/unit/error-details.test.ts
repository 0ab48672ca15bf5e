// Typed errors keep their data across the process boundary: a too-small target's needed bytes reach the
// renderer as a number (through the in-process transport and through the real loopback bridge's WebSocket),
// not as text read back with a regex; argument errors carry their field paths; a drive refusal its reason.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  createIiosClient,
  errorEnvelope,
  IiosError,
  unwrapEnvelope,
  type IiosTransport,
} from '../../src-shared/contract/index.ts';
import { planLayout, TooSmallError } from '../../src-shared/layout/index.ts';
import { startBridge, type Bridge } from '../../src-main/bridge/server.ts';
import { EventHub } from '../../src-main/services/events.ts';
import { createHandlers, dispatch, type Handlers } from '../../src-main/services/handlers.ts';
import { createLocalTransport } from '../../src-main/services/local-transport.ts';
import { JobService } from '../../src-main/services/jobs/jobs.ts';
import { createProfilesApi } from '../../src-main/services/sources/profiles-api.ts';
import { loadProfile } from '../../src-main/services/sources/profiles.ts';
import { createBridgeTransport, type BridgeTransport, type WebSocketLike } from '../../src-renderer/platform/bridge-client.ts';
import { createWizardApi } from '../../src-renderer/store/api.ts';
import type { BundleView } from '../../src-renderer/store/types.ts';
import { demoManifest } from './wizard/support/fake-services.ts';

const GB = 1000 ** 3;

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('the error envelope carries typed details', () => {
  it('keeps a TooSmallError\'s sizes as numbers through JSON, and rebuilds an IiosError with them', () => {
    const env = JSON.parse(JSON.stringify(errorEnvelope(new TooSmallError('appliance', 1 * GB, 2_368_750_080)))) as unknown;
    const err = caught(() => unwrapEnvelope(env)) as IiosError;
    expect(err).toBeInstanceOf(IiosError);
    expect(err.code).toBe('E_TOO_SMALL');
    expect(err.details).toEqual({ kind: 'too-small', profileId: 'appliance', targetBytes: 1 * GB, neededBytes: 2_368_750_080 });
  });

  it('drops details of an unknown kind or a wrong shape, and keeps the message and the code', () => {
    for (const details of [{ kind: 'from-the-future', x: 1 }, { kind: 'too-small', neededBytes: '2 GB' }, 'text']) {
      const err = caught(() => unwrapEnvelope({ error: { message: 'no room', code: 'E_TOO_SMALL', details } })) as IiosError;
      expect(err).toMatchObject({ message: 'no room', code: 'E_TOO_SMALL', details: undefined });
    }
    // An error whose own `details` field is not one of the known kinds sends none.
    expect(errorEnvelope(Object.assign(new Error('x'), { details: { kind: 'nope' } }))).toEqual({ error: { message: 'x' } });
  });

  it('says which fields of the arguments were refused, on the server and in the client', async () => {
    const handlers = createHandlers({ appInfo: () => ({ name: 'iios', version: '0', platform: 'linux', arch: 'x64', elevated: false }), drives: { list: async () => [], eject: async () => ({ ejected: false }) } });
    const env = await dispatch(handlers, 'jobs.start', { profileId: 'appliance', bundleDir: '/b', targets: [{ path: 'stick.img' }] }, { transport: 'local' });
    expect(env).toMatchObject({ error: { code: 'E_BAD_ARGS', details: { kind: 'invalid', issues: [{ path: 'targets[0].path', message: expect.stringMatching(/must start with "\/"/) }] } } });

    const client = createIiosClient(createLocalTransport(handlers, new EventHub()));
    await expect(client.invoke('jobs.start', { profileId: 'appliance', bundleDir: '/b', targets: [{ path: 'stick.img' }] })).rejects.toMatchObject({
      code: 'E_BAD_ARGS',
      details: { kind: 'invalid', issues: [{ path: 'targets[0].path' }] },
    });
  });
});

describe('the job service', () => {
  it('says the helper could not be launched as typed details, and frees the slot', async () => {
    const service = new JobService({
      launchHelper: () => {
        throw new Error('spawn /usr/bin/pkexec ENOENT');
      },
    });
    const job = {
      jobId: 'job-launch',
      profile: await loadProfile('appliance'),
      bundleDir: '/opt/iios/demo',
      manifest: demoManifest,
      targets: [{ id: 't1', kind: 'image-file' as const, path: '/tmp/iios-never-written.img', sizeBytes: 8 * GB, hostname: 'lab-01' }],
    };
    const err = await service.start(job).then(() => expect.fail('started'), (e: unknown) => e);
    expect(errorEnvelope(err)).toEqual({
      error: { message: 'could not start the helper: spawn /usr/bin/pkexec ENOENT', code: 'E_HELPER_START', details: { kind: 'helper-failed', stage: 'launch' } },
    });
    expect(service.isBusy()).toBe(false);
  });
});

describe('a too-small target reaches the renderer with its needed bytes as a number', () => {
  let dir: string;
  let bridge: Bridge;
  let bridgeTransport: BridgeTransport;
  let handlers: Handlers;
  const hub = new EventHub();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iios-error-details-'));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(demoManifest));
    handlers = createHandlers({
      appInfo: () => ({ name: 'iios', version: '0', platform: 'linux', arch: 'x64', elevated: false }),
      drives: {
        list: async () => [],
        eject: async (id) => {
          throw Object.assign(new Error(`${id} holds the running system`), { code: 'E_SYSTEM_DRIVE', details: { kind: 'unsafe-target', target: id, reason: 'system' } });
        },
      },
      profiles: createProfilesApi(),
    });
    bridge = await startBridge({ handlers, events: hub, staticDir: null });
    bridgeTransport = createBridgeTransport({ wsUrl: `ws://127.0.0.1:${bridge.port}/ws`, token: bridge.token }, (url) => new WebSocket(url) as unknown as WebSocketLike);
  });
  afterAll(async () => {
    bridgeTransport?.close();
    await bridge?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const source = (): BundleView => ({ kind: 'bundle', dir, name: 'iios-demo', version: '2026.11.1', arch: 'x86_64', rootfsKind: 'squashfs', sizeBytes: 1, rootHash: null });
  const transports: [string, () => IiosTransport][] = [
    ['the in-process transport (JSON on the way)', () => createLocalTransport(handlers, hub)],
    ['the loopback bridge (a real WebSocket)', () => bridgeTransport],
  ];

  it.each(transports)('through %s', async (_name, transport) => {
    const tiny = 1 * GB;
    const profile = await loadProfile('appliance');
    // What the planner itself says is needed: the figure the renderer must show.
    const needed = (caught(() => planLayout(profile, demoManifest, tiny)) as TooSmallError).neededBytes;
    expect(needed).toBeGreaterThan(tiny);

    const client = createIiosClient(transport());
    const err = (await client.invoke('plan.compute', { profile: 'appliance', bundleDir: dir, targetBytes: tiny }).catch((e: unknown) => e)) as IiosError;
    expect(err).toBeInstanceOf(IiosError);
    expect(err.details).toEqual({ kind: 'too-small', profileId: 'appliance', targetBytes: tiny, neededBytes: needed });

    // The wizard's API reads the number from the details.
    const plan = await createWizardApi(client).computePlan('appliance', source(), tiny);
    // its words are the reader's, from the same details (src-shared/errors/error-words.ts)
    expect(plan).toEqual({ ok: false, reason: expect.stringMatching(/ profile needs at least /), minBytes: needed });
    expect(typeof (plan.ok ? null : plan.minBytes)).toBe('number');

    // A refusal of another kind carries its own data: which drive, and why.
    await expect(client.invoke('drives.eject', { id: '/dev/nvme0n1' })).rejects.toMatchObject({
      code: 'E_SYSTEM_DRIVE',
      details: { kind: 'unsafe-target', target: '/dev/nvme0n1', reason: 'system' },
    });
  });

  it('does not read the bytes out of the message: a message without them still gives the number', async () => {
    const quiet = createHandlers({
      appInfo: () => ({ name: 'iios', version: '0', platform: 'linux', arch: 'x64', elevated: false }),
      drives: { list: async () => [], eject: async () => ({ ejected: false }) },
      profiles: {
        ...createProfilesApi(),
        computePlan: () => {
          throw Object.assign(new Error('this stick is too small'), { code: 'E_TOO_SMALL', details: { kind: 'too-small', profileId: 'appliance', targetBytes: 5, neededBytes: 1234 } });
        },
      },
    });
    const api = createWizardApi(createIiosClient(createLocalTransport(quiet, new EventHub())));
    expect(await api.computePlan('appliance', source(), 5)).toEqual({ ok: false, reason: expect.stringMatching(/^The target has .* profile needs at least /), minBytes: 1234 });
  });
});
