// `iios serve` on a port that is taken: a clear message naming the port and a non-zero exit at once, not an
// EADDRINUSE trace and a process that goes on polling drives forever.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/serve.ts';

let busy: Server;
let port: number;
let rendererDir: string;

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  port = (busy.address() as { port: number }).port;
  rendererDir = await mkdtemp(join(tmpdir(), 'iios-renderer-'));
  await writeFile(join(rendererDir, 'index.html'), '<div id="root"></div>\n');
});

afterAll(async () => {
  await new Promise((r) => busy.close(r));
  await rm(rendererDir, { recursive: true, force: true });
});

it('exits 1 with a message that names the busy port', async () => {
  const started = Date.now();
  const r = await execa(process.execPath, [join(REPO_ROOT, 'src-main/cli/iios.mjs'), 'serve', '--port', String(port)], {
    cwd: REPO_ROOT,
    reject: false,
    // far longer than a start takes here; a serve that keeps running past it is killed and fails the test
    timeout: 60_000,
    env: { IIOS_RENDERER_DIR: rendererDir },
  });
  expect(r.timedOut).toBe(false);
  expect(r.exitCode).toBe(1);
  expect(r.stderr.trim()).toBe(
    `iios: serve: port ${port} on 127.0.0.1 is already in use: stop what listens there, or choose another port with --port N (or leave --port off for a free one)`,
  );
  expect(r.stdout).not.toMatch(/open http/);
  expect(Date.now() - started).toBeLessThan(60_000);
}, 90_000);
