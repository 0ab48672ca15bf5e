// A write with a cache set is refused before anything starts when the set's built caches do not fit a target's
// caches partition (with the size that target would need, as data), or when the profile keeps no caches; the
// same rule (src-shared/caches/cache-fit.ts) is what the GUI's cache step shows per stick.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCacheSet } from '../../src-main/services/caches/build-cache-set.ts';
import { prepareWriteJob, type JobRequestDeps, type RequestError } from '../../src-main/services/jobs/job-request.ts';
import { cacheFit, cacheRoomBytes } from '../../src-shared/caches/cache-fit.ts';
import { parseCacheSet } from '../../src-shared/caches/cache-set.ts';
import { planLayout } from '../../src-shared/layout/index.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { demoManifest } from '../unit/wizard/support/fake-services.ts';

const MiB = 1024 ** 2;
const profile = (id: string) => parseImageProfile(readFileSync(join(import.meta.dirname, `../../resources/profiles/${id}.yaml`), 'utf8'), `${id}.yaml`, id);
const deps: JobRequestDeps = {
  loadProfile: async (id) => profile(id),
  loadBundle: async () => demoManifest,
  imageBytes: async () => 0,
  deviceBytes: async () => 0,
};
const refusal = (p: Promise<unknown>) => p.then(() => expect.fail('not refused'), (e: unknown) => e as RequestError);

let work: string;
let setFile: string;
const applianceNeeds = planLayout(profile('appliance'), demoManifest, 8e9).neededBytes;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-cachegui-fit-'));
  process.env.IIOS_CACHES_DIR = join(work, 'library');
  await mkdir(join(work, 'handouts'));
  await writeFile(join(work, 'handouts', 'sheet.txt'), 'x'.repeat(5000));
  setFile = join(work, 'lab.yaml');
  const text = `format: 1\nid: lab\ntitle: Lab\ncaches:\n  files: { path: ${join(work, 'handouts')} }\n`;
  await writeFile(setFile, text);
  await buildCacheSet(parseCacheSet(text, setFile), { library: join(work, 'library'), baseDir: work });
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('cache sets and the room on a stick', () => {
  it('the rule: the caches take the growing partition\'s headroom, with the Btrfs allowance', () => {
    const plan = planLayout(profile('appliance'), demoManifest, applianceNeeds + 40 * MiB);
    expect(cacheRoomBytes(5000)).toBe(33 * MiB);
    expect(cacheFit(plan, 5000)).toEqual({ kind: 'fits', roomBytes: 7 * MiB, neededBytes: applianceNeeds + 33 * MiB });
    expect(cacheFit(plan, 8 * MiB)).toEqual({ kind: 'too-small', neededBytes: applianceNeeds + 41 * MiB });
    expect(cacheFit(planLayout(profile('kiosk'), demoManifest, 8e9), 5000)).toEqual({ kind: 'no-caches' });
  });

  it('refuses a target with too little room for the set, saying the size it needs; takes one with enough', async () => {
    const small = join(work, 'small.img');
    const err = await refusal(prepareWriteJob({ profileId: 'appliance', bundleDir: '/opt/iios/demo', targets: [{ path: small, sizeBytes: applianceNeeds + 16 * MiB }], cacheSet: setFile }, deps));
    expect(err.message).toMatch(/small\.img: target is [\d.]+ GB but the appliance profile with 5\.0 kB of caches needs at least [\d.]+ GB/);
    expect(err.details).toEqual({ kind: 'too-small', profileId: 'appliance', targetBytes: applianceNeeds + 16 * MiB, neededBytes: applianceNeeds + 33 * MiB, target: small });
    const { job } = await prepareWriteJob({ profileId: 'appliance', bundleDir: '/opt/iios/demo', targets: [{ path: join(work, 'big.img'), sizeBytes: applianceNeeds + 40 * MiB }], cacheSet: setFile }, deps);
    expect((job.caches ?? []).map((c) => [c.kind, c.set])).toEqual([['files', 'lab']]);
  });

  it('refuses a cache set for a profile that keeps no caches', async () => {
    const err = await refusal(prepareWriteJob({ profileId: 'kiosk', bundleDir: '/opt/iios/demo', targets: [{ path: join(work, 'k.img'), sizeBytes: 8e9 }], cacheSet: setFile }, deps));
    expect(err.details).toMatchObject({ kind: 'invalid', issues: [{ path: 'cacheSet', message: expect.stringMatching(/the kiosk profile has no @caches subvolume/) }] });
  });
});
