// Turning a write request into a WriteJob with the sizes that only the computer knows (a device's size, a raw
// image's uncompressed size) asked of the injected dependencies, and refusals that carry their data: a target
// too small with the bytes it needs, a field with its path.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareWriteJob, RequestError, type JobRequestDeps } from '../../src-main/services/jobs/job-request.ts';
import { planLayout, TooSmallError } from '../../src-shared/layout/index.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import type { ImageProfile } from '../../src-shared/profile/index.ts';
import { demoManifest } from './wizard/support/fake-services.ts';

const GB = 1000 ** 3;
const profile = (id: string): ImageProfile =>
  parseImageProfile(readFileSync(join(import.meta.dirname, `../../resources/profiles/${id}.yaml`), 'utf8'), `${id}.yaml`, id);

/** Dependencies from data, recording what they were asked. */
function deps(sizes: { device?: number; image?: number } = {}) {
  const asked: string[] = [];
  const d: JobRequestDeps = {
    loadProfile: async (id) => profile(id),
    loadBundle: async () => demoManifest,
    imageBytes: async (path) => {
      asked.push(`image ${path}`);
      if (sizes.image === undefined) throw new Error('cannot tell the size of x.img.xz before decompressing it');
      return sizes.image;
    },
    deviceBytes: async (path) => {
      asked.push(`device ${path}`);
      return sizes.device ?? 0;
    },
  };
  return { d, asked };
}

const refusal = (p: Promise<unknown>) => p.then(() => expect.fail('not refused'), (e: unknown) => e as RequestError);

describe('prepareWriteJob', () => {
  let work: string;
  let image: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'iios-job-request-'));
    image = join(work, 'lab.img.xz');
    await writeFile(image, 'not really xz');
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.skipIf(!existsSync('/dev/loop0'))('asks the injected dependency for a block device\'s size and plans for it', async () => {
    const { d, asked } = deps({ device: 16 * GB });
    const { job, plans } = await prepareWriteJob({ profileId: 'appliance', bundleDir: '/opt/iios/demo', targets: [{ path: '/dev/loop0' }] }, d);
    expect(asked).toEqual(['device /dev/loop0']);
    expect(job.targets).toEqual([{ id: 't1-loop0', kind: 'device', path: '/dev/loop0', sizeBytes: 16 * GB, hostname: 'iios' }]);
    expect(plans[0]!.plan).toEqual(planLayout(profile('appliance'), demoManifest, 16 * GB));
  });

  it('plans a raw image from the uncompressed size the dependency gives, once for every target', async () => {
    const { d, asked } = deps({ image: 3 * GB });
    const targets = [{ path: join(work, 'a.img'), sizeBytes: 8 * GB }, { path: join(work, 'b.img'), sizeBytes: 8 * GB }];
    const { job, plans } = await prepareWriteJob({ profileId: 'raw', imagePath: image, targets, persistence: true, firstNumber: 5, namePattern: 'kiosk-{n}' }, d);
    expect(asked).toEqual([`image ${image}`]);
    expect(job).toMatchObject({ imagePath: image, persistence: true, targets: [{ hostname: 'kiosk-5' }, { hostname: 'kiosk-6' }] });
    expect(plans[0]!.plan).toEqual(planLayout(profile('raw'), { imageBytes: 3 * GB }, 8 * GB, { persistence: true }));
    expect(plans[0]!.plan.partitions.some((p) => p.role === 'persistence')).toBe(true);

    const unknown = await refusal(prepareWriteJob({ profileId: 'raw', imagePath: image, targets }, deps().d));
    expect(unknown).toMatchObject({ code: 'E_REQUEST', details: { kind: 'invalid', issues: [{ path: 'imagePath', message: expect.stringMatching(/before decompressing/) }] } });
  });

  it('refuses a target too small with the bytes it needs as a number, and says which target', async () => {
    const path = join(work, 'small.img');
    const err = await refusal(prepareWriteJob({ profileId: 'appliance', bundleDir: '/opt/iios/demo', targets: [{ path, sizeBytes: 64 * 1024 ** 2 }] }, deps().d));
    let needed = 0;
    try {
      planLayout(profile('appliance'), demoManifest, 64 * 1024 ** 2);
    } catch (e) {
      needed = (e as TooSmallError).neededBytes;
    }
    expect(err).toBeInstanceOf(RequestError);
    expect(err.message).toMatch(/small\.img: target is .* needs at least/);
    expect(err.details).toEqual({ kind: 'too-small', profileId: 'appliance', targetBytes: 64 * 1024 ** 2, neededBytes: needed, target: path });
  });

  it('refuses what the schema refuses, and field problems only the computer sees, each with its path', async () => {
    const { d } = deps();
    const both = await refusal(prepareWriteJob({ profileId: 'raw', bundleDir: '/b', imagePath: image, targets: [{ path: join(work, 'x.img'), sizeBytes: GB }] }, d));
    expect(both.details).toEqual({ kind: 'invalid', issues: [{ path: 'bundleDir', message: 'give either a bundle folder or a disk image (exactly one)', said: { code: 'rule', rule: 'one-source' } }] });
    const noSize = await refusal(prepareWriteJob({ profileId: 'appliance', bundleDir: '/b', targets: [{ path: join(work, 'new.img') }] }, d));
    expect(noSize.details).toEqual({ kind: 'invalid', issues: [{ path: 'targets[0].sizeBytes', message: expect.stringMatching(/give its size/) }] });
    const twice = await refusal(prepareWriteJob({ profileId: 'appliance', bundleDir: '/b', targets: [{ path: join(work, 'x.img'), sizeBytes: GB }, { path: `${work}//x.img`, sizeBytes: GB }] }, d));
    expect(twice.details).toMatchObject({ kind: 'invalid', issues: [{ path: 'targets[1].path' }] });
    const names = await refusal(prepareWriteJob({ profileId: 'appliance', bundleDir: '/b', targets: [{ path: join(work, 'x.img'), sizeBytes: GB }, { path: join(work, 'y.img'), sizeBytes: GB }], namePattern: 'lab' }, d));
    expect(names.details).toMatchObject({ kind: 'invalid', issues: [{ path: 'namePattern', message: expect.stringMatching(/share one name/) }] });
    const etc = await refusal(prepareWriteJob({ profileId: 'appliance', bundleDir: '/b', targets: [{ path: '/etc/lab.img', sizeBytes: GB }] }, d));
    expect(etc.details).toEqual({ kind: 'unsafe-target', target: '/etc/lab.img', reason: 'bad-path', pathProblem: { reason: 'system-folder', path: '/etc/lab.img', folder: '/etc' } });
  });
});
