// A private squid for building a cache: its own configuration, port on 127.0.0.1, pid file and logs in the
// build's scratch folder, nothing of the computer's squid touched. It runs in the foreground (-N) as our child,
// so stopping it is ours to do; a short shutdown_lifetime lets it write swap.state and exit within seconds
// (the default waits 30 s for clients). Run as root, squid drops to an unprivileged user that must own the
// cache_dir and the scratch folder.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTool } from '../../run-tool.ts';
import type { CacheBuildContext } from '../kind-builder.ts';
import { kindTool } from './kind-tool.ts';
import { squidCacheLines } from './squid-config.ts';

export interface PrivateSquid {
  port: number;
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 right now (the kernel's pick). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((res, rej) => server.once('error', rej).listen(0, '127.0.0.1', () => res()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((res) => server.close(() => res()));
  return port;
}

const accepts = (port: number) =>
  new Promise<boolean>((res) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), res(true)));
    s.once('error', () => res(false));
  });

/** Why squid stopped, from its cache.log (its stderr holds only resource figures). */
async function squidFailure(home: string, user: string | undefined): Promise<string> {
  const lines = (await readFile(join(home, 'cache.log'), 'utf8').catch(() => '')).split('\n');
  const strip = (l: string) => l.replace(/^\S+ \S+\| /, '').trim();
  const fatal = lines.filter((l) => /FATAL|ERROR|Permission denied/.test(l));
  const why = (fatal.length > 0 ? fatal : lines.filter((l) => l.trim() && !/Removing PID file/.test(l))).slice(-2).map(strip);
  const hint = user ? ` (run as root, squid works as the user "${user}", who must be able to reach the cache library: build as your own user)` : '';
  return `${why.join(' | ') || 'see its cache.log'}${hint}`;
}

/** The user squid runs as when started by root: Debian's "proxy", else "nobody". */
async function squidUser(ctx: CacheBuildContext): Promise<string> {
  const r = await kindTool(ctx, 'id', ['-u', 'proxy'], { okExitCodes: [0, 1] });
  return r.exitCode === 0 ? 'proxy' : 'nobody';
}

export async function startPrivateSquid(cacheDir: string, ctx: CacheBuildContext): Promise<PrivateSquid> {
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? await squidUser(ctx) : undefined;
  // run as root, squid's own files go where its user can reach them (a scratch folder may sit in a private home)
  const home = asRoot ? await mkdtemp(join(tmpdir(), 'iios-squid-')) : join(ctx.workDir, 'squid');
  await mkdir(home, { recursive: true });
  if (asRoot) await chmod(home, 0o755);
  await mkdir(cacheDir, { recursive: true });
  const port = await freePort();
  const conf = join(home, 'squid.conf');
  await writeFile(
    conf,
    [
      `http_port 127.0.0.1:${port}`,
      'http_access allow localhost',
      'http_access deny all',
      ...squidCacheLines(cacheDir),
      'cache_mem 8 MB',
      // the build revalidates every URL: an unchanged object costs a 304, a changed one is fetched again
      'refresh_pattern . 0 20% 4320',
      `pid_filename ${join(home, 'squid.pid')}`,
      `access_log stdio:${join(home, 'access.log')} squid`,
      `cache_log ${join(home, 'cache.log')}`,
      'cache_store_log none',
      `coredump_dir ${home}`,
      'shutdown_lifetime 1 seconds',
      'pinger_enable off',
      'netdb_filename none',
      ...(user ? [`cache_effective_user ${user}`] : []),
      '',
    ].join('\n'),
  );
  // a service name of its own: squid names its shared-memory segments after it, so this squid never meets
  // another's (the computer's own squid, a parallel build) or one a killed squid left behind
  const service = `iios${randomBytes(6).toString('hex')}`;
  const cleanup = async (): Promise<void> => {
    if (asRoot) await rm(home, { recursive: true, force: true });
    // squid -z leaves its segments; the server removes them when it shuts down cleanly, not when killed
    for (const f of await readdir('/dev/shm').catch(() => [])) if (f.startsWith(`${service}-`)) await rm(join('/dev/shm', f), { force: true });
  };
  try {
    if (user) await kindTool(ctx, 'chown', ['-R', `${user}:`, cacheDir, home]);
    // makes the L1/L2 folders a fresh cache_dir lacks (and leaves a built one as it is)
    const made = await kindTool(ctx, 'squid', ['-n', service, '-N', '-z', '-f', conf], { okExitCodes: [0, 1] });
    if (made.exitCode !== 0) throw new Error(`cache squid: squid could not prepare its cache_dir ${cacheDir}: ${await squidFailure(home, user)}`);
  } catch (err) {
    await cleanup();
    throw err;
  }

  ctx.log(`squid -n ${service} -N -f ${conf}`);
  const child = startTool('squid', ['-n', service, '-N', '-f', conf], { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', env: { LC_ALL: 'C' }, cancelSignal: ctx.signal });
  let exited = false;
  void child.then(() => (exited = true));
  const stop = async (): Promise<void> => {
    if (!exited) {
      // SIGINT: squid's "interrupt", a clean shutdown (swap.state written) that waits for no client; measured
      // here 3.6 s against 5 s for SIGTERM
      child.kill('SIGINT');
      const done = await Promise.race([child.then(() => true), sleep(20_000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await child;
      }
    }
    await cleanup();
  };
  for (let waited = 0; !(await accepts(port)); waited += 100) {
    if (exited || waited > 30_000) {
      const why = await squidFailure(home, user);
      await stop();
      throw new Error(`cache squid: the private squid did not start on 127.0.0.1:${port}: ${why}`);
    }
    await sleep(100);
  }
  return { port, stop };
}
