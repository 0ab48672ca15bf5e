// The "jobs" channels as every transport serves them (dispatch over the handler registry): arguments checked
// by the contract, a real job through the real helper, jobs.event pushed with the snapshot, a second start
// refused with E_JOB_BUSY, a request refused before the helper starts with E_REQUEST.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../src-main/services/events.ts';
import { createHandlers, dispatch } from '../../src-main/services/handlers.ts';
import { JobsApi } from '../../src-main/services/jobs/jobs-api.ts';
import { createJobsApi, realJobRequestDeps } from '../../src-main/services/jobs/jobs-runtime.ts';
import { JobService } from '../../src-main/services/jobs/jobs.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';

const isRoot = process.getuid?.() === 0;
const ctx = { transport: 'local' as const };

describe.skipIf(!isRoot)('jobs channels', () => {
  let bundle: TestBundle;
  let work: string;
  beforeAll(async () => {
    bundle = await makeBundle({ randomBytes: 24 * 1024 * 1024 });
    work = await mkdtemp(join(tmpdir(), 'iios-jobs-handlers-'));
  }, 120_000);
  afterAll(async () => {
    await bundle?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('starts a job, refuses a second, pushes events with snapshots, and reports the result', async () => {
    const events = new EventHub();
    const pushed: { event: { kind: string }; snapshot: { status: string } }[] = [];
    events.subscribe((name, payload) => name === 'jobs.event' && pushed.push(payload as (typeof pushed)[number]));
    const handlers = createHandlers({
      appInfo: () => ({ name: 'iios', version: '0', platform: 'linux', arch: 'x64', elevated: true }),
      drives: { list: async () => [], eject: async () => ({ ejected: false }) },
      jobs: createJobsApi({ events }),
    });
    const target = join(work, 'stick.img');
    const args = { profileId: 'appliance', bundleDir: bundle.dir, targets: [{ path: target, sizeBytes: 2 * 1024 ** 3 }], namePattern: 'lab-{nn}' };

    expect(await dispatch(handlers, 'jobs.current', undefined, ctx)).toEqual({ result: null });
    const bad = await dispatch(handlers, 'jobs.start', { ...args, targets: [{ path: 'relative.img' }] }, ctx);
    expect(bad).toMatchObject({ error: { code: 'E_BAD_ARGS', details: { kind: 'invalid', issues: [{ path: 'targets[0].path' }] } } });

    const started = await dispatch(handlers, 'jobs.start', args, ctx);
    expect(started).toMatchObject({ result: { targets: [{ path: target, kind: 'image-file', hostname: 'lab-01' }] } });
    const busy = await dispatch(handlers, 'jobs.start', { ...args, targets: [{ path: join(work, 'other.img'), sizeBytes: 2 * 1024 ** 3 }] }, ctx);
    expect(busy).toMatchObject({ error: { code: 'E_JOB_BUSY', details: { kind: 'busy', jobId: (started as { result: { jobId: string } }).result.jobId } } });

    for (let i = 0; i < 240 && !pushed.some((p) => p.event.kind === 'done'); i++) await new Promise((r) => setTimeout(r, 250));
    const last = pushed.at(-1)!;
    expect(last.event.kind).toBe('done');
    expect(last.snapshot.status).toBe('done');
    expect(pushed.some((p) => p.event.kind === 'progress')).toBe(true);
    const current = (await dispatch(handlers, 'jobs.current', undefined, ctx)) as { result: { status: string; targets: { verified: boolean }[] } };
    expect(current.result.status).toBe('done');
    expect(current.result.targets[0]!.verified).toBe(true);
    expect(existsSync(join(work, 'other.img'))).toBe(false);

    const small = await dispatch(handlers, 'jobs.start', { ...args, targets: [{ path: join(work, 'small.img'), sizeBytes: 64 * 1024 ** 2 }] }, ctx);
    expect(small).toMatchObject({
      error: {
        code: 'E_REQUEST',
        message: expect.stringMatching(/needs at least/),
        // the sizes cross as numbers, with the target they are about
        details: { kind: 'too-small', profileId: 'appliance', targetBytes: 64 * 1024 ** 2, neededBytes: expect.any(Number), target: join(work, 'small.img') },
      },
    });
    expect(await dispatch(handlers, 'jobs.cancel', undefined, ctx)).toEqual({ result: { cancelled: false } });
  }, 120_000);

  it('lists the offline caches on this computer, one per kind', async () => {
    const root = join(work, 'caches');
    await mkdir(join(root, 'apt', 'archives'), { recursive: true });
    await writeFile(join(root, 'apt', 'archives', 'a.deb'), 'x'.repeat(100));
    await mkdir(join(root, 'flatpak'), { recursive: true });
    // a built cache set's folder is offered as a set (cachesets.list), not as a kind named after the set
    await mkdir(join(root, 'lab', 'files'), { recursive: true });
    await writeFile(join(root, 'lab', 'files.build.json'), '{}');
    const service = new JobService({
      launchHelper: () => {
        throw new Error('not started in this test');
      },
    });
    const api = new JobsApi(service, realJobRequestDeps(), undefined, root);
    expect(await api.listCaches()).toEqual([
      { kind: 'apt', path: join(root, 'apt'), sizeBytes: 100, files: 1 },
      { kind: 'flatpak', path: join(root, 'flatpak'), sizeBytes: 0, files: 0 },
    ]);
  });
});
