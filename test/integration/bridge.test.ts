// The loopback bridge with the real services: the token gate, the same handlers as Electron, pushed
// drive events, and the static renderer. A loop device is attached for real and must appear as virtual.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as drivelist from 'drivelist';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createIiosClient, type Drive, type IiosClient } from '../../src-shared/contract/index.ts';
import { startBridge, type Bridge } from '../../src-main/bridge/server.ts';
import { createAppRuntime, type AppRuntime } from '../../src-main/services/runtime.ts';
import { createBridgeTransport, type BridgeTransport, type WebSocketLike } from '../../src-renderer/platform/bridge-client.ts';
import { systemDisk } from '../support/system-disk.ts';

const wsFactory = (url: string) => new WebSocket(url) as unknown as WebSocketLike;

/** Opens a raw WebSocket and reports how the server answered the upgrade. */
function tryConnect(url: string, headers: Record<string, string> = {}): Promise<{ opened: boolean; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ opened: false, status: res.statusCode });
      ws.terminate();
    });
    ws.on('error', () => resolve({ opened: false }));
  });
}

function httpGet(port: number, path: string, host = `127.0.0.1:${port}`): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined | null, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('loopback bridge', () => {
  let runtime: AppRuntime;
  let bridge: Bridge;
  let staticDir: string;
  let transport: BridgeTransport;
  let client: IiosClient;

  beforeAll(async () => {
    staticDir = await mkdtemp(join(tmpdir(), 'iios-bridge-static-'));
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>iios test page</title>');
    runtime = createAppRuntime();
    bridge = await startBridge({ handlers: runtime.handlers, events: runtime.events, port: 0, staticDir });
    transport = createBridgeTransport({ wsUrl: `ws://127.0.0.1:${bridge.port}/ws`, token: bridge.token }, wsFactory);
    client = createIiosClient(transport);
  });

  afterAll(async () => {
    transport?.close();
    runtime?.dispose();
    await bridge?.close();
    if (staticDir) await rm(staticDir, { recursive: true, force: true });
  });

  it('refuses to listen anywhere but 127.0.0.1', async () => {
    await expect(startBridge({ handlers: runtime.handlers, events: runtime.events, host: '0.0.0.0' })).rejects.toThrow(/127\.0\.0\.1 only/);
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/#token=${bridge.token}`);
  });

  it('refuses a connection without the token or with a wrong one', async () => {
    const base = `ws://127.0.0.1:${bridge.port}/ws`;
    expect(await tryConnect(base)).toEqual({ opened: false, status: 401 });
    expect(await tryConnect(`${base}?token=`)).toEqual({ opened: false, status: 401 });
    expect(await tryConnect(`${base}?token=wrong`)).toEqual({ opened: false, status: 401 });
    const sameLength = bridge.token.slice(0, -1) + (bridge.token.endsWith('A') ? 'B' : 'A');
    expect(await tryConnect(`${base}?token=${sameLength}`)).toEqual({ opened: false, status: 401 });
    // The right token on another path, from a foreign page, or through a foreign Host is refused too.
    expect(await tryConnect(`ws://127.0.0.1:${bridge.port}/other?token=${bridge.token}`)).toEqual({ opened: false, status: 404 });
    expect(await tryConnect(`${base}?token=${bridge.token}`, { Origin: 'http://evil.example' })).toEqual({ opened: false, status: 403 });
    expect(await tryConnect(`${base}?token=${bridge.token}`)).toEqual({ opened: true });
  });

  it('a client holding a wrong token gets errors, never results', async () => {
    const bad = createBridgeTransport({ wsUrl: `ws://127.0.0.1:${bridge.port}/ws`, token: 'nope' }, wsFactory);
    try {
      await expect(createIiosClient(bad).invoke('drives.list')).rejects.toMatchObject({ code: 'E_DISCONNECTED' });
    } finally {
      bad.close();
    }
  });

  it('closes the connection on a malformed message', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${bridge.port}/ws?token=${bridge.token}`);
    const code = await new Promise<number>((resolve) => {
      ws.on('open', () => ws.send('{"type":"invoke","id":"x"}'));
      ws.on('close', (c) => resolve(c));
    });
    expect(code).toBe(1008);
  });

  it('serves the same handlers: app.info, argument validation, errors with codes', async () => {
    expect(await client.invoke('app.info')).toMatchObject({ name: 'iios', transport: 'bridge' });
    const envelope = await transport.invoke('drives.eject', { id: 'not-a-device' });
    expect(envelope).toMatchObject({ error: { code: 'E_BAD_ARGS' } });
    expect(await transport.invoke('drives.format', {})).toMatchObject({ error: { code: 'E_UNKNOWN_CHANNEL' } });
  });

  it('drives.list returns what drivelist returns, and the system disk is marked', async () => {
    const [listed, fromDrivelist, systemDiskName] = await Promise.all([client.invoke('drives.list'), drivelist.list(), systemDisk()]);
    const candidates = fromDrivelist.filter((d) => (d.size ?? 0) > 0 && !/^\/dev\/(zram|ram|sr)\d/.test(d.device));
    const nonLoops = listed.filter((d) => d.busType !== 'LOOP');
    expect(nonLoops.map((d) => [d.device, d.sizeBytes, d.readOnly, d.removable])).toEqual(
      candidates.map((d) => [d.device, d.size, d.isReadOnly, d.isRemovable]).sort((a, b) => String(a[0]).localeCompare(String(b[0]), 'en', { numeric: true })),
    );
    // / on an overlay or tmpfs (a container): no system disk to mark, the comparison above still holds
    if (systemDiskName) expect(listed.find((d) => d.device === systemDiskName)).toMatchObject({ system: true });
  });

  it('shows an attached loop device as virtual, pushes drives.changed, and drops it after detaching', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iios-bridge-loop-'));
    const image = join(dir, 'stick.img');
    await execa('truncate', ['-s', '96M', image]);
    const changes: Drive[][] = [];
    const off = client.on('drives.changed', ({ drives }) => changes.push(drives));
    runtime.start();
    let loop: string | null = null;
    try {
      loop = (await execa('losetup', ['-f', '--show', image])).stdout.trim();
      const listed = await client.invoke('drives.list');
      const mine = listed.find((d) => d.device === loop);
      expect(mine).toMatchObject({ virtual: true, system: false, busType: 'LOOP', backingFile: image, sizeBytes: 96 * 2 ** 20 });
      // lsblk (independently) agrees on the loop's size.
      const size = (await execa('lsblk', ['-n', '-b', '-d', '-o', 'SIZE', loop])).stdout.trim();
      expect(mine?.sizeBytes).toBe(Number(size));
      await waitFor('a drives.changed event with the loop', () => changes.find((l) => l.some((d) => d.device === loop)));
      await execa('losetup', ['-d', loop]);
      const detached = loop;
      loop = null;
      await waitFor('a drives.changed event without the loop', () => {
        const last = changes.at(-1);
        return last && !last.some((d) => d.device === detached) ? last : null;
      });
    } finally {
      off();
      if (loop) await execa('losetup', ['-d', loop], { reject: false });
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('serves the renderer files with a CSP, nothing outside its folder, and only to its own Host', async () => {
    const page = await httpGet(bridge.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('iios test page');
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'self'");
    expect((await httpGet(bridge.port, '/../../../etc/passwd')).body).not.toContain('root:');
    expect((await httpGet(bridge.port, '/%2e%2e/%2e%2e/etc/passwd')).status).toBeGreaterThanOrEqual(400);
    expect((await httpGet(bridge.port, '/missing.js')).status).toBe(404);
    expect((await httpGet(bridge.port, '/', 'evil.example:80')).status).toBe(421);
  });
});
