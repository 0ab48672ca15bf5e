// The app applies the helper's refusals before any password prompt (src-main/services/jobs/preflight.ts, the
// shared rules): a bundle file linked outside the bundle, a target under a mounted loop, a link alias of the
// same disk, payload files too big for their partition. The helper is never launched for such a job.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WriteJob } from '../../src-shared/job/write-job.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { JobService } from '../../src-main/services/jobs/jobs.ts';
import { preflight } from '../../src-main/services/jobs/preflight.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { makeLoop, type TestLoop } from '../support/helper-checks.ts';

const MiB = 1024 * 1024;
const kiosk = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/kiosk.yaml'), 'utf8'), 'kiosk.yaml', 'kiosk');
let bundle: TestBundle;
let work: string;
let loop: TestLoop;
beforeAll(async () => {
  bundle = await makeBundle();
  work = await mkdtemp(join(tmpdir(), 'iios-preflight-'));
  loop = await makeLoop(700 * MiB);
});
afterAll(async () => {
  await loop?.cleanup();
  await bundle?.cleanup();
  await rm(work, { recursive: true, force: true });
});

const job = (targets: { id: string; path: string }[], extra: Record<string, unknown> = {}) =>
  WriteJob.parse({
    jobId: 'pre',
    profile: kiosk,
    bundleDir: bundle.dir,
    manifest: bundle.manifest,
    targets: targets.map((t, i) => ({ kind: 'device', sizeBytes: 700 * MiB, hostname: `k-0${i + 1}`, ...t })),
    ...extra,
  });

describe('the app refuses up front what the helper would', () => {
  it('passes a job the helper takes', async () => {
    expect(await preflight(job([{ id: 't1', path: loop.dev }]))).toEqual(new Map());
  });

  it('a link alias of the same disk', async () => {
    const alias = join(work, 'alias');
    await symlink(loop.dev, alias);
    const r = await preflight(job([{ id: 't1', path: loop.dev }, { id: 't2', path: alias }]));
    expect(r.get('t2')).toEqual([`${alias} is the same disk as target t1`]);
  });

  it('a target under a loop over a range of it', async () => {
    const inner = (await execa('losetup', ['-f', '--show', '-o', String(MiB), '--sizelimit', String(32 * MiB), loop.dev])).stdout.trim();
    try {
      const r = await preflight(job([{ id: 't1', path: loop.dev }]));
      expect(r.get('t1')?.join()).toContain(`loop device ${inner} covers bytes`);
    } finally {
      await execa('losetup', ['-d', inner]);
    }
  });

  it('payload files too big for the payload partition', async () => {
    const big = join(work, 'big.bin');
    await execa('truncate', ['-s', String(100 * 1000 * 1000), big]);
    const r = await preflight(job([{ id: 't1', path: loop.dev }], { payload: [{ sourcePath: big, name: 'big.bin' }] }));
    expect(r.get('t1')?.join()).toMatch(/payload partition holds about/);
  });

  it('a bundle file linked outside the bundle; the helper is never launched', async () => {
    const outside = join(work, 'outside.efi');
    await writeFile(outside, 'x');
    const name = Object.keys(bundle.manifest.files).find((n) => n !== bundle.manifest.rootfs.file)!;
    const saved = readFileSync(join(bundle.dir, name));
    await rm(join(bundle.dir, name));
    await symlink(outside, join(bundle.dir, name));
    try {
      let launched = 0;
      const svc = new JobService({ tmpRoot: work, launchHelper: () => { launched++; throw new Error('must not launch'); } });
      const { finished } = await svc.start(job([{ id: 't1', path: loop.dev }]));
      const final = await finished;
      expect(launched).toBe(0);
      expect(final.status).toBe('failed');
      expect(final.targets[0]!.message).toBe(`bundle file ${name} points outside the bundle`);
    } finally {
      await rm(join(bundle.dir, name));
      await writeFile(join(bundle.dir, name), saved);
    }
  });
});
