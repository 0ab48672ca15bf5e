// A helper started ahead of its job (JobService.prelaunch, what `iios write --yes` does as root): the real helper
// over the private socket. It gets the job only once the app's own checks passed; a job the app refuses, or no
// job at all, leaves nothing written, the helper ended and the socket folder gone.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../src-main/services/app/app-info.ts';
import { defaultElevationDeps, helperCommand, startHelper, type HelperProcess } from '../../src-main/services/elevation/elevation.ts';
import { JobService, type JobServiceDeps } from '../../src-main/services/jobs/jobs.ts';
import { takeEarlyHelper } from '../../src-main/services/jobs/early-helper.ts';
import { startEarlyHelper } from '../../src-main/cli/early-helper.mjs';
import { loadProfile } from '../../src-main/services/sources/profiles.ts';
import type { WriteJobInput } from '../../src-shared/job/write-job.ts';
import { makeRawImage, type RawImage } from '../support/make-raw-image.ts';

const isRoot = process.getuid?.() === 0;
const MiB = 1024 * 1024;

describe.skipIf(!isRoot)('a helper started ahead of its job', () => {
  let image: RawImage;
  let work: string;
  let job: (id: string, target: string) => Promise<WriteJobInput>;

  beforeAll(async () => {
    image = await makeRawImage({ mib: 8 });
    work = await mkdtemp(join(tmpdir(), 'iios-prelaunch-'));
    const profile = await loadProfile('raw');
    job = async (id, target) => ({
      jobId: id,
      profile,
      imagePath: image.path,
      persistence: false,
      targets: [{ id: 't1', kind: 'image-file', path: target, sizeBytes: 64 * MiB, hostname: 'raw-01' }],
    });
  });
  afterAll(async () => {
    await image?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  function service(preflight?: JobServiceDeps['preflight']) {
    const launched: HelperProcess[] = [];
    const dirs: string[] = [];
    const svc = new JobService({
      tmpRoot: work,
      helloTimeoutMs: 60_000,
      ...(preflight ? { preflight } : {}),
      launchHelper: (args) => {
        dirs.push(dirname(args[args.indexOf('--socket') + 1]!));
        const p = startHelper(helperCommand({ root: appRoot() }), args, defaultElevationDeps());
        launched.push(p);
        return p;
      },
    });
    return { svc, launched, dirs };
  }

  /** Until the helper has proved it runs as root (its proof file is in the socket folder). */
  async function proven(dir: string): Promise<void> {
    for (let i = 0; i < 300 && !readdirSync(dir).some((n) => n.startsWith('proof-')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(dir).some((n) => n.startsWith('proof-'))).toBe(true);
  }

  it('takes the job once the checks passed and runs it: one helper, started before start()', async () => {
    const { svc, launched, dirs } = service();
    await svc.prelaunch();
    expect(launched).toHaveLength(1);
    await proven(dirs[0]!);
    const target = join(work, 'ahead.img');
    const final = await (await svc.start(await job('ahead', target))).finished;
    expect(final.error).toBeNull();
    expect(final.targets[0]).toMatchObject({ status: 'done' });
    expect(launched).toHaveLength(1);
    expect(existsSync(target)).toBe(true);
    expect(existsSync(dirs[0]!)).toBe(false);
  }, 60_000);

  it('never sends a job the app refuses: nothing written, the helper ended, its folder gone', async () => {
    // a check that takes its time: a helper that had the job would be writing meanwhile
    const { svc, launched, dirs } = service(async () => {
      await new Promise((r) => setTimeout(r, 1500));
      return new Map([['t1', [{ kind: 'text', text: 'refused by the test' }]]]);
    });
    const kinds: string[] = [];
    svc.subscribe((n) => kinds.push(n.event.kind));
    await svc.prelaunch();
    await proven(dirs[0]!);
    const target = join(work, 'refused.img');
    const final = await (await svc.start(await job('refused', target))).finished;
    expect(kinds).not.toContain('phase');
    expect(final.status).toBe('failed');
    expect(final.targets[0]!.message).toMatch(/refused by the test/);
    expect(launched).toHaveLength(1);
    // no job: the helper ends on the closed socket with its "no job" exit
    expect((await launched[0]!.exited).code).toBe(1);
    expect(existsSync(target)).toBe(false);
    expect(existsSync(dirs[0]!)).toBe(false);
    expect(svc.isBusy()).toBe(false);
  }, 60_000);

  it('takes one the CLI started before its socket was open (early-helper.mjs): it waits for the socket, then runs the job', async () => {
    const { svc, launched } = service();
    startEarlyHelper(appRoot(), join(appRoot(), 'dist', 'helper', 'main.js'));
    const early = takeEarlyHelper()!;
    expect(early).not.toBeNull();
    // its socket opens only now, well after the helper started
    await new Promise((r) => setTimeout(r, 400));
    await svc.prelaunch(early);
    const target = join(work, 'early.img');
    const final = await (await svc.start(await job('early', target))).finished;
    expect(final.error).toBeNull();
    expect(final.targets[0]).toMatchObject({ status: 'done' });
    expect(launched).toHaveLength(0);
    expect((await early.helper.exited).code).toBe(0);
    expect(existsSync(early.dir)).toBe(false);
  }, 60_000);

  it('closes an unused one (discardPrelaunched); the next job starts its own helper', async () => {
    const { svc, launched, dirs } = service();
    await svc.prelaunch();
    await proven(dirs[0]!);
    await svc.discardPrelaunched();
    expect((await launched[0]!.exited).code).not.toBeNull();
    expect(existsSync(dirs[0]!)).toBe(false);
    const target = join(work, 'after-discard.img');
    const final = await (await svc.start(await job('after-discard', target))).finished;
    expect(final.targets[0]).toMatchObject({ status: 'done' });
    expect(launched).toHaveLength(2);
  }, 60_000);
});
