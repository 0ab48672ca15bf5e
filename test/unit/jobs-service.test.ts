// The job service in plain Node: the real helper process (helpers/main.ts) over the private socket, started
// through the elevation module as root. Elevation through sudo-prompt cannot run here (no polkit agent), so
// its refusal is fed in the way sudo-prompt reports it.
import { chownSync, existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WriteJobInput } from '../../src-shared/job/write-job.ts';
import { appRoot } from '../../src-main/services/app/app-info.ts';
import { readBundleManifest } from '../../src-main/services/sources/bundles.ts';
import {
  defaultElevationDeps,
  helperCommand,
  PERMISSION_DENIED,
  quoteForSudo,
  startHelper,
  type ElevationDeps,
  type SudoExec,
} from '../../src-main/services/elevation/elevation.ts';
import { JobBusyError, JobService, type JobNotice } from '../../src-main/services/jobs/jobs.ts';
import { loadProfile } from '../../src-main/services/sources/profiles.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';

const isRoot = process.getuid?.() === 0;
const GiB = 1024 ** 3;

describe('elevation', () => {
  it('runs the helper as its built bundle (no transpiler), built first when the checkout has none', () => {
    const cmd = helperCommand({ root: appRoot(), execPath: '/usr/bin/node' });
    expect(cmd.file).toBe('/usr/bin/node');
    expect(cmd.args).toEqual([join(appRoot(), 'dist', 'helper', 'main.js')]);
    expect(existsSync(cmd.args[0]!)).toBe(true);
  });

  it('starts a root helper directly with an argument array and reports its exit code', async () => {
    const deps = defaultElevationDeps();
    const proc = startHelper({ file: process.execPath, args: ['-e', 'process.stderr.write("bye\\n"); process.exit(3)', '--'], cwd: tmpdir() }, ['--x'], {
      ...deps,
      isRoot: () => true,
    });
    const exit = await proc.exited;
    expect(exit).toMatchObject({ code: 3, cancelled: false });
    expect(exit.stderr).toContain('bye');
  });

  it('reports "the user refused" from sudo-prompt as cancelled, and passes only quoted plain arguments', async () => {
    let seen = '';
    const refuse: SudoExec = (command, _opts, cb) => {
      seen = command;
      setImmediate(() => cb(new Error(PERMISSION_DENIED)));
    };
    const deps: ElevationDeps = { isRoot: () => false, sudoExec: refuse, spawnDirect: () => { throw new Error('must not run directly'); } };
    const exit = await startHelper({ file: '/usr/bin/node', args: ['/opt/iios/helper.js'], cwd: '/opt/iios' }, ['--token', 'ab12'], deps).exited;
    expect(exit.cancelled).toBe(true);
    expect(seen).toBe("cd '/opt/iios' && exec '/usr/bin/node' '/opt/iios/helper.js' '--token' 'ab12'");
    const other: SudoExec = (_c, _o, cb) => setImmediate(() => cb(new Error('No polkit authentication agent found.')));
    const failed = await startHelper({ file: '/usr/bin/node', args: [], cwd: '/' }, [], { ...deps, sudoExec: other }).exited;
    expect(failed.cancelled).toBe(false);
    expect(failed.message).toMatch(/polkit/);
  });

  it.each(['a b', '$(reboot)', "it's", 'x;y', '`id`', ''])('refuses to put %j on the elevated command line', (arg) => {
    expect(() => quoteForSudo(arg)).toThrow(/unusual character/);
  });
});

describe.skipIf(!isRoot)('job service with the real helper', () => {
  let bundle: TestBundle;
  let work: string;
  let job: (id: string, target: string, sizeBytes?: number) => Promise<WriteJobInput>;
  const root = appRoot();

  beforeAll(async () => {
    bundle = await makeBundle({ randomBytes: 48 * 1024 * 1024 });
    work = await mkdtemp(join(tmpdir(), 'iios-jobs-test-'));
    const profile = await loadProfile('appliance');
    const manifest = await readBundleManifest(bundle.dir);
    job = async (id, target, sizeBytes = 2 * GiB) => ({
      jobId: id,
      profile,
      bundleDir: bundle.dir,
      manifest,
      targets: [{ id: 't1', kind: 'image-file', path: target, sizeBytes, hostname: 'class-01' }],
    });
  }, 120_000);
  afterAll(async () => {
    await bundle?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /**
   * rogue: a client of the app's own user (here root, as the test runs) that connects before the helper and
   * answers the nonce without proving root: 'lie' claims the proof without making the file, 'user-file' makes
   * the proof file but owned by a user (what a process of the app's own, non-root user can do).
   */
  async function service(opts: { rogue?: 'lie' | 'user-file'; noHelper?: boolean } = {}) {
    const deps = defaultElevationDeps();
    const cmd = helperCommand({ root });
    const socketDirs: string[] = [];
    const rogue: { closed: Promise<boolean>; got: string[] }[] = [];
    const svc = new JobService({
      tmpRoot: work,
      helloTimeoutMs: 60_000,
      launchHelper: (args) => {
        const socketPath = args[args.indexOf('--socket') + 1]!;
        socketDirs.push(join(socketPath, '..'));
        expect(args).toEqual(['--socket', socketPath]);
        let launched = null as ReturnType<typeof startHelper> | null;
        if (opts.rogue) {
          const c = connect(socketPath);
          c.setEncoding('utf8');
          c.write(`${JSON.stringify({ type: 'hello', pid: 1 })}\n`);
          const got: string[] = [];
          c.on('data', (line: string) => {
            got.push(line);
            const nonce = (JSON.parse(line.trim()) as { nonce?: string }).nonce;
            if (!nonce) return;
            if (opts.rogue === 'user-file') {
              const proof = join(socketPath, '..', `proof-${nonce}`);
              writeFileSync(proof, '');
              chownSync(proof, 65534, 65534);
            }
            c.write(`${JSON.stringify({ type: 'proved' })}\n`);
          });
          rogue.push({ got, closed: new Promise((r) => c.on('close', () => r(true)).on('error', () => undefined)) });
        }
        launched = opts.noHelper ? startHelper({ file: process.execPath, args: ['-e', 'setTimeout(() => process.exit(1), 3000)'], cwd: '/' }, [], deps) : startHelper(cmd, args, deps);
        return launched;
      },
    });
    return { svc, socketDirs, rogue };
  }

  it('refuses a client that cannot prove it runs as root: nothing is written and the socket directory is gone', async () => {
    const { svc, socketDirs, rogue } = await service({ rogue: 'user-file', noHelper: true });
    const target = join(work, 'bad-token.img');
    const { finished } = await svc.start(await job('bad-token', target));
    expect((await stat(socketDirs[0]!)).mode & 0o777).toBe(0o700);
    const final = await finished;
    expect(final.status).toBe('failed');
    expect(final.error).toMatch(/helper/);
    expect(await rogue[0]!.closed).toBe(true);
    // It got the nonce and nothing else: never the job.
    expect(rogue[0]!.got.join('')).not.toMatch(/"type":"job"/);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(socketDirs[0]!)).toBe(false);
  }, 60_000);

  it('closes on a client that only claims the proof, then runs the real helper job to a complete stick', async () => {
    const { svc, rogue } = await service({ rogue: 'lie' });
    const target = join(work, 'ok.img');
    const notices: JobNotice[] = [];
    svc.subscribe((n) => notices.push(n));
    const { finished } = await svc.start(await job('good-job', target));
    expect(await rogue[0]!.closed).toBe(true);
    expect(rogue[0]!.got.join('')).not.toMatch(/"type":"job"/);
    const final = await finished;
    expect(final.error).toBeNull();
    expect(final.status).toBe('done');
    // a job the helper finished carries no reason why it failed (its clean exit is no failure)
    expect(final.errorDetails ?? null).toBeNull();
    expect(final.targets[0]).toMatchObject({ status: 'done', hostname: 'class-01' });
    const kinds = new Set(notices.map((n) => n.event.kind));
    for (const k of ['phase', 'progress', 'target-done', 'done']) expect(kinds).toContain(k);
    expect(notices.filter((n) => n.event.kind === 'done')).toHaveLength(1);
    expect(svc.isBusy()).toBe(false);
    expect(await readdir(work)).not.toContainEqual(expect.stringMatching(/^iios-job-/));
  }, 240_000);

  it('runs one job at a time: a second start is refused, cancel frees the slot', async () => {
    const { svc } = await service();
    const first = await svc.start(await job('first', join(work, 'first.img')));
    await expect(svc.start(await job('second', join(work, 'second.img')))).rejects.toThrow(JobBusyError);
    await expect(svc.start(await job('second', join(work, 'second.img')))).rejects.toThrow(/already running \(job first\)/);
    // let it get going, then cancel
    await Promise.race([
      first.finished,
      new Promise<void>((r) => {
        const off = svc.subscribe((n) => n.event.kind === 'phase' && (off(), r()));
      }),
    ]);
    expect(svc.cancel()).toBe(true);
    const final = await first.finished;
    expect(final.status).toBe('cancelled');
    expect(final.targets[0]!.status).toBe('failed');
    expect(existsSync(join(work, 'second.img'))).toBe(false);
    // the slot is free again: a job the helper refuses (target far too small) now runs to its end
    const third = await svc.start(await job('third', join(work, 'third.img'), 64 * 1024 * 1024));
    const t = await third.finished;
    expect(t.status).toBe('failed');
    expect(t.targets[0]!.message ?? t.error).toMatch(/small|needs/i);
  }, 240_000);

  it('reports a helper killed mid-write as a failed job instead of waiting for it', async () => {
    const deps = defaultElevationDeps();
    const cmd = helperCommand({ root });
    let helperPid: number | undefined;
    const svc = new JobService({
      tmpRoot: work,
      launchHelper: (args) => {
        const proc = startHelper(cmd, args, deps);
        helperPid = proc.pid;
        return proc;
      },
    });
    const { finished } = await svc.start(await job('killed', join(work, 'killed.img')));
    const off = svc.subscribe((n) => {
      if (n.event.kind === 'phase' && n.event.phase === 'slots') {
        off();
        process.kill(helperPid!, 'SIGKILL');
      }
    });
    const final = await finished;
    expect(final.status).toBe('failed');
    expect(final.error).toMatch(/helper/);
    expect(final.targets[0]!.status).toBe('failed');
    expect(svc.isBusy()).toBe(false);
  }, 120_000);

  it('ends the job as cancelled, with nothing written, when the user refuses the password prompt', async () => {
    const refuse: SudoExec = (_c, _o, cb) => setTimeout(() => cb(new Error(PERMISSION_DENIED)), 50);
    const deps: ElevationDeps = { isRoot: () => false, sudoExec: refuse, spawnDirect: () => { throw new Error('must not run directly'); } };
    const svc = new JobService({ tmpRoot: work, launchHelper: (args) => startHelper(helperCommand({ root }), args, deps) });
    const target = join(work, 'refused.img');
    const final = await (await svc.start(await job('refused', target))).finished;
    expect(final.status).toBe('cancelled');
    expect(final.error).toBeNull();
    expect(final.targets[0]).toMatchObject({ status: 'failed', cancelled: true });
    expect(final.targets[0]!.message).toMatch(/password prompt was dismissed.*Nothing was written/);
    // the typed reason, kept on the snapshot though no error event was sent: the GUI names it and offers to try again
    expect(final.errorDetails).toEqual({ kind: 'elevation', reason: 'dismissed' });
    expect(existsSync(target)).toBe(false);
  });

  it('reports a helper that dies before connecting and cleans up', async () => {
    const deps = defaultElevationDeps();
    const dirs: string[] = [];
    const svc = new JobService({
      tmpRoot: work,
      launchHelper: (args) => {
        dirs.push(join(args[1]!, '..'));
        return startHelper({ file: process.execPath, args: ['-e', 'process.exit(7)', '--'], cwd: work }, args, deps);
      },
    });
    const final = await (await svc.start(await job('dies', join(work, 'dies.img')))).finished;
    expect(final.status).toBe('failed');
    expect(final.error).toMatch(/exited \(code 7\)/);
    expect(existsSync(dirs[0]!)).toBe(false);
  }, 30_000);
});
