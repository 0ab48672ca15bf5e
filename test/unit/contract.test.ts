/// <reference types="vite/client" />
// The contract's schemas, channel by channel: good arguments pass, malformed ones are refused, and errors
// survive the trip through an envelope as an IiosError with their code.
import { describe, expect, it } from 'vitest';
import {
  createIiosClient,
  errorEnvelope,
  eventContract,
  eventNames,
  IiosError,
  invokeChannels,
  invokeContract,
  resultEnvelope,
  unwrapEnvelope,
  type InvokeChannel,
} from '../../src-shared/contract/index.ts';
import { EventHub } from '../../src-main/services/events.ts';
import { createHandlers, dispatch, type Services } from '../../src-main/services/handlers.ts';
import { createLocalTransport } from '../../src-main/services/local-transport.ts';
import { buildDriveList, parseLosetup, parseLsblk, type DrivelistEntry } from '../../src-shared/drives/inventory.ts';
import { readFixture } from './fixtures/read-fixture.ts';
import type { ArgsRow } from './contract-args/row.ts';

/** Values every channel must refuse, whatever its schema: not an argument object at all. */
const ALWAYS_BAD: unknown[] = [42, 'drives', true, [], null];

/**
 * One row per invoke channel: arguments that must be accepted and ones that must be refused, in one file
 * per domain under ./contract-args (each exports `rows`). A channel added to the contract without a row
 * fails the first test below.
 */
const ARGS_TABLE: Record<string, ArgsRow> = Object.assign(
  {},
  ...Object.values(import.meta.glob<{ rows: Record<string, ArgsRow> }>('./contract-args/*.ts', { eager: true })).map((m) => m.rows),
);

describe('contract arguments', () => {
  it('has a table row for every invoke channel (test/unit/contract-args/<domain>.ts)', () => {
    expect(invokeChannels.filter((c) => !ARGS_TABLE[c])).toEqual([]);
    expect(Object.keys(ARGS_TABLE).filter((c) => !(invokeChannels as string[]).includes(c))).toEqual([]);
  });

  for (const channel of invokeChannels) {
    const row = ARGS_TABLE[channel] ?? { good: [], bad: [] };
    const schema = invokeContract[channel as InvokeChannel].args;
    it.each(row.good.map((a) => [JSON.stringify(a) ?? 'undefined', a]))(`${channel} accepts %s`, (_label, args) => {
      expect(schema.safeParse(args).success).toBe(true);
    });
    it.each([...ALWAYS_BAD, ...row.bad].map((a) => [JSON.stringify(a) ?? 'undefined', a]))(`${channel} refuses %s`, (_label, args) => {
      expect(schema.safeParse(args).success).toBe(false);
    });
  }

  it('names channels domain.verb and events domain.past-tense, with no overlap', () => {
    for (const name of [...invokeChannels, ...eventNames]) expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
    expect(invokeChannels.filter((c) => (eventNames as string[]).includes(c))).toEqual([]);
    expect(Object.keys(eventContract)).toEqual(eventNames);
  });
});

describe('contract results', () => {
  const drives = buildDriveList(
    readFixture<DrivelistEntry[]>('drives/vm-loops.drivelist.json'),
    parseLsblk(readFixture('drives/vm-loops.lsblk.json')),
    parseLosetup(readFixture('drives/vm-loops.losetup.json')),
  );

  it('accepts the drive list built from captured tool output, and refuses a broken one', () => {
    expect(invokeContract['drives.list'].result.safeParse(drives).success).toBe(true);
    expect(eventContract['drives.changed'].payload.safeParse({ drives }).success).toBe(true);
    const broken = drives.map((d) => ({ ...d, sizeBytes: -1 }));
    expect(invokeContract['drives.list'].result.safeParse(broken).success).toBe(false);
    expect(invokeContract['drives.list'].result.safeParse([{ ...drives[0], device: 'vda' }]).success).toBe(false);
  });
});

describe('error envelope', () => {
  it('round-trips a result and an error with its code through JSON', () => {
    const ok = JSON.parse(JSON.stringify(resultEnvelope({ a: [1, 2] }))) as unknown;
    expect(unwrapEnvelope(ok)).toEqual({ a: [1, 2] });

    const thrown = Object.assign(new Error('no such drive: /dev/sdz'), { code: 'E_NO_DRIVE' });
    const env = JSON.parse(JSON.stringify(errorEnvelope(thrown))) as unknown;
    expect(env).toEqual({ error: { message: 'no such drive: /dev/sdz', code: 'E_NO_DRIVE' } });
    const rebuilt = (() => {
      try {
        unwrapEnvelope(env);
      } catch (e) {
        return e;
      }
    })();
    expect(rebuilt).toBeInstanceOf(IiosError);
    expect(rebuilt).toBeInstanceOf(Error);
    expect((rebuilt as IiosError).message).toBe('no such drive: /dev/sdz');
    expect((rebuilt as IiosError).code).toBe('E_NO_DRIVE');
  });

  it('keeps errors without a code code-less, and non-Error throws as text', () => {
    expect(errorEnvelope(new Error('plain'))).toEqual({ error: { message: 'plain' } });
    expect(errorEnvelope('a string')).toEqual({ error: { message: 'a string' } });
  });

  it('treats a malformed envelope as an error', () => {
    for (const bad of [null, 42, {}, { result: 1, error: { message: 'x' } }, { error: 'x' }]) {
      expect(() => unwrapEnvelope(bad)).toThrowError(IiosError);
    }
  });
});

describe('dispatch and the typed client over the shared handlers', () => {
  const drives = buildDriveList(
    readFixture<DrivelistEntry[]>('drives/vm-loops.drivelist.json'),
    parseLsblk(readFixture('drives/vm-loops.lsblk.json')),
    parseLosetup(readFixture('drives/vm-loops.losetup.json')),
  );
  // Services from data: this checks the dispatch path, not drive discovery (that runs for real in integration).
  const services: Services = {
    appInfo: () => ({ name: 'iios', version: '9.9.9', platform: 'linux', arch: 'x64', elevated: false }),
    drives: {
      list: async () => drives,
      eject: async (id) => {
        throw Object.assign(new Error(`${id} holds the running system`), { code: 'E_SYSTEM_DRIVE' });
      },
    },
  };
  const handlers = createHandlers(services);

  it('refuses unknown channels and bad arguments with codes, before any handler runs', async () => {
    expect(await dispatch(handlers, 'drives.format', {}, { transport: 'local' })).toMatchObject({ error: { code: 'E_UNKNOWN_CHANNEL' } });
    expect(await dispatch(handlers, 'drives.eject', { id: 'sda' }, { transport: 'local' })).toMatchObject({ error: { code: 'E_BAD_ARGS' } });
    expect(await dispatch(handlers, '__proto__', {}, { transport: 'local' })).toMatchObject({ error: { code: 'E_UNKNOWN_CHANNEL' } });
  });

  it('returns typed results and rebuilt errors through the client', async () => {
    const hub = new EventHub();
    const client = createIiosClient(createLocalTransport(handlers, hub));
    const info = await client.invoke('app.info');
    expect(info).toMatchObject({ version: '9.9.9', transport: 'local' });
    expect(await client.invoke('drives.list')).toEqual(drives);
    await expect(client.invoke('drives.eject', { id: '/dev/vda' })).rejects.toMatchObject({
      name: 'IiosError',
      code: 'E_SYSTEM_DRIVE',
      message: '/dev/vda holds the running system',
    });
    // @ts-expect-error: the typed client refuses a wrong argument shape at compile time too
    await expect(client.invoke('drives.eject', { device: '/dev/sdb' })).rejects.toMatchObject({ code: 'E_BAD_ARGS' });

    const seen: number[] = [];
    const off = client.on('drives.changed', ({ drives: d }) => seen.push(d.length));
    hub.emit('drives.changed', { drives });
    off();
    hub.emit('drives.changed', { drives: [] });
    expect(seen).toEqual([drives.length]);
  });
});

describe('app.pickPath: native file choosers only where there is a desktop window', () => {
  const base: Services = {
    appInfo: () => ({ name: 'iios', version: '9.9.9', platform: 'linux', arch: 'x64', elevated: false }),
    drives: { list: async () => [], eject: async () => ({ ejected: false }) },
  };
  const picked: { args: unknown; senderId: number | undefined }[] = [];
  const withPicker = createHandlers({
    ...base,
    pickPath: async (args, ctx) => {
      picked.push({ args, senderId: ctx.senderId });
      return { cancelled: false, paths: ['/srv/lab'] };
    },
  });

  it('says so in app.info: on for the Electron window of a process with a picker, off elsewhere', async () => {
    const info = async (h: typeof withPicker, transport: 'electron' | 'bridge' | 'local') =>
      unwrapEnvelope<{ nativePickers: boolean }>(await dispatch(h, 'app.info', undefined, { transport })).nativePickers;
    expect(await info(withPicker, 'electron')).toBe(true);
    expect(await info(withPicker, 'bridge')).toBe(false);
    expect(await info(createHandlers(base), 'electron')).toBe(false);
    expect(await info(createHandlers(base), 'bridge')).toBe(false);
  });

  it('refuses a pick with E_UNAVAILABLE where there is none, and passes the calling window on where there is', async () => {
    const args = { mode: 'open-folder', title: 'Choose a bundle folder' };
    expect(await dispatch(createHandlers(base), 'app.pickPath', args, { transport: 'electron' })).toMatchObject({ error: { code: 'E_UNAVAILABLE' } });
    expect(await dispatch(withPicker, 'app.pickPath', args, { transport: 'bridge' })).toMatchObject({ error: { code: 'E_UNAVAILABLE' } });
    expect(picked).toEqual([]);
    expect(await dispatch(withPicker, 'app.pickPath', args, { transport: 'electron', senderId: 7 })).toEqual({ result: { cancelled: false, paths: ['/srv/lab'] } });
    expect(picked).toEqual([{ args, senderId: 7 }]);
  });

  it('accepts a pick or a cancel as the result, and nothing in between', () => {
    const result = invokeContract['app.pickPath'].result;
    expect(result.safeParse({ cancelled: true }).success).toBe(true);
    expect(result.safeParse({ cancelled: false, paths: ['/a', '/b'] }).success).toBe(true);
    expect(result.safeParse({ cancelled: false, paths: [] }).success).toBe(false);
    expect(result.safeParse({ cancelled: false, paths: ['relative/x.img'] }).success).toBe(false);
    expect(result.safeParse({ cancelled: false }).success).toBe(false);
  });
});
