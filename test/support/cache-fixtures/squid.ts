// For the squid cache: an origin (a node HTTP server on 127.0.0.1 serving given bodies, honouring
// If-Modified-Since as real servers do, and recording what it answered) and a squid started from a given
// configuration on a free port, as a machine would run it; both stopped by the test even when it fails.
import { execa, type ResultPromise } from 'execa';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../../src-main/services/caches/kinds/squid-instance.ts';

export interface Origin {
  url(name: string): string;
  set(name: string, body: Buffer): void;
  /** what it answered, in order: "200 /a.bin", "304 /a.bin" */
  answers: string[];
  stop(): Promise<void>;
  /** listens again on the same port (squid keys its objects by the exact URL) */
  restart(): Promise<void>;
}

export async function startOrigin(): Promise<Origin> {
  const bodies = new Map<string, { body: Buffer; modified: Date }>();
  const answers: string[] = [];
  const server: Server = createServer((req, res) => {
    const item = bodies.get(req.url ?? '');
    if (!item) {
      answers.push(`404 ${req.url}`);
      res.writeHead(404).end();
      return;
    }
    const since = req.headers['if-modified-since'];
    if (since && new Date(since).getTime() >= Math.floor(item.modified.getTime() / 1000) * 1000) {
      answers.push(`304 ${req.url}`);
      res.writeHead(304, { 'Last-Modified': item.modified.toUTCString() }).end();
      return;
    }
    answers.push(`200 ${req.url}`);
    // a name starting "private-" is answered as a server forbidding caches to keep it
    const noStore = req.url!.startsWith('/private-') ? { 'Cache-Control': 'no-store' } : {};
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': item.body.length, 'Last-Modified': item.modified.toUTCString(), ...noStore });
    res.end(item.body);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const { port } = server.address() as { port: number };
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    // a second in the past, so the Last-Modified squid keeps is strictly before any later change
    set: (name, body) => void bodies.set(`/${name}`, { body, modified: new Date(Date.now() - 1000) }),
    answers,
    stop: () => new Promise<void>((res) => (server.listening ? (server.close(() => res()), server.closeAllConnections()) : res())),
    restart: () => new Promise<void>((res) => server.listen(port, '127.0.0.1', () => res())),
  };
}

export interface TestSquid {
  port: number;
  accessLog: () => Promise<string>;
  stop(): Promise<void>;
}

/** squid in the foreground with `lines` plus its own port, pid file and logs in `home`; as root it runs as proxy. */
export async function startSquid(home: string, lines: string[]): Promise<TestSquid> {
  await mkdir(home, { recursive: true });
  const port = await freePort();
  const conf = join(home, 'squid.conf');
  await writeFile(
    conf,
    [
      ...lines,
      `http_port 127.0.0.1:${port}`,
      'http_access allow localhost',
      'http_access deny all',
      `pid_filename ${home}/squid.pid`,
      `access_log stdio:${home}/access.log squid`,
      `cache_log ${home}/cache.log`,
      `coredump_dir ${home}`,
      'shutdown_lifetime 1 seconds',
      'pinger_enable off',
      'netdb_filename none',
      'cache_effective_user proxy',
      '',
    ].join('\n'),
  );
  await execa('chown', ['-R', 'proxy:', home]);
  // its own service name, so its shared-memory segments meet no other squid's
  const service = `iiostest${process.pid}${port}`;
  const child: ResultPromise = execa('squid', ['-n', service, '-N', '-f', conf], { reject: false });
  let exited = false;
  void child.then(() => (exited = true));
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      await child;
    }
    for (const f of await readdir('/dev/shm').catch(() => [])) if (f.startsWith(`${service}-`)) await rm(join('/dev/shm', f), { force: true });
  };
  for (let waited = 0; ; waited += 100) {
    const up = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), res(true)));
      s.once('error', () => res(false));
    });
    if (up) break;
    if (exited || waited > 30_000) {
      await stop();
      throw new Error(`squid did not start: ${await readFile(join(home, 'cache.log'), 'utf8').catch(() => '')}`);
    }
    await sleep(100);
  }
  return { port, accessLog: () => readFile(join(home, 'access.log'), 'utf8').catch(() => ''), stop };
}

/** curl through the proxy; the body and the status. */
export async function curlVia(port: number, url: string): Promise<{ status: number; body: Buffer }> {
  const r = await execa('curl', ['-s', '-x', `http://127.0.0.1:${port}`, '-w', '\n%{http_code}', url], { encoding: 'buffer' });
  const out = Buffer.from(r.stdout);
  const nl = out.lastIndexOf(0x0a);
  return { status: Number(out.subarray(nl + 1).toString()), body: out.subarray(0, nl) };
}
