// `iios drives` and `iios serve` as a user runs them (child processes of the real CLI).
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DriveList } from '../../src-shared/contract/index.ts';
import { ensureRendererBuilt, REPO_ROOT, startServe } from '../support/serve.ts';
import { systemDisk } from '../support/system-disk.ts';

const SYSTEM_DISK = await systemDisk();

const IIOS = join(REPO_ROOT, 'src-main', 'cli', 'iios.mjs');
const iios = (args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, [IIOS, ...args], { cwd: REPO_ROOT, reject: false, env: { ...process.env, ...env } });

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('iios drives', () => {
  it('prints the drives as JSON matching the contract, the system disk marked', async () => {
    const r = await iios(['drives', '--json']);
    expect(r.exitCode).toBe(0);
    const drives = DriveList.parse(JSON.parse(r.stdout));
    const disk = await systemDisk();
    if (disk) expect(drives.find((d) => d.device === disk)?.system).toBe(true);
  });

  it.skipIf(!SYSTEM_DISK)('prints a table with the reason a drive cannot be chosen', async () => {
    const r = await iios(['drives']);
    expect(r.exitCode).toBe(0);
    const [header, ...rows] = r.stdout.split('\n');
    expect(header).toMatch(/^DEVICE\s+SIZE\s+BUS\s+DESCRIPTION\s+FLAGS\s+SELECTABLE$/);
    expect(rows.find((l) => /\bsystem\b/.test(l))).toMatch(/no: System drive/);
  });
});

describe('iios serve', () => {
  it('refuses any host but 127.0.0.1, and a bad port', async () => {
    const r = await iios(['serve', '--host', '0.0.0.0']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/127\.0\.0\.1 only/);
    expect((await iios(['serve', '--port', 'http'])).exitCode).toBe(2);
  });

  it('says to run npm run build when the renderer is not built', async () => {
    const r = await iios(['serve'], { IIOS_RENDERER_DIR: join(REPO_ROOT, '.cache', 'no-such-renderer') });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/npm run build/);
  });

  it('serves on the chosen port, prints the URL with its token, and stops cleanly on SIGTERM', async () => {
    await ensureRendererBuilt();
    const port = await freePort();
    const serve = await startServe({ args: ['--port', String(port)] });
    try {
      expect(serve.port).toBe(port);
      expect(serve.token.length).toBeGreaterThanOrEqual(32);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      const opened = await new Promise<boolean>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${serve.token}`);
        ws.on('open', () => (ws.close(), resolve(true)));
        ws.on('error', () => resolve(false));
      });
      expect(opened).toBe(true);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
    expect(serve.output()).toMatch(/SIGTERM, stopping/);
  });
});
