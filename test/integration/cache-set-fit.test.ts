// A write with a cache set is refused before anything starts when the set's built caches do not fit a target's
// caches partition (with the size that target would need, as data), or when the profile keeps no caches; the
// same rule (src-shared/caches/cache-fit.ts) is what the GUI's cache step shows per stick.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareWriteJob, type JobRequestDeps, type RequestError } from '../../src-main/services/jobs/job-request.ts';
import { btrfsReserveBytes, cacheContentBytes, cacheFit, cacheRoomBytes, type CacheContent } from '../../src-shared/caches/cache-fit.ts';
import { planLayout } from '../../src-shared/layout/index.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { builtFilesSet, type BuiltFilesSet } from '../support/built-files-set.ts';
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
/** The room `c` takes on an appliance stick: its data partition (the last) at its least, as on the smallest stick. */
const roomOnAppliance = (c: CacheContent) => cacheRoomBytes(c, planLayout(profile('appliance'), demoManifest, applianceNeeds).partitions.at(-1)!.sizeBytes);

let built: BuiltFilesSet;
beforeAll(async () => {
  built = await builtFilesSet('iios-cachegui-fit-', { name: 'sheet.txt', content: 'x'.repeat(5000) });
  ({ work, setFile } = built);
});
afterAll(async () => {
  await built?.cleanup();
});

describe('cache sets and the room on a stick', () => {
  it('the rule: the caches take the growing partition\'s headroom, with what Btrfs keeps for itself', () => {
    // per file 6 KiB and 2 % of the bytes; the partition keeps a tenth of itself (at most 512 MiB) and 32 MiB
    expect(cacheContentBytes({ bytes: 5000, files: 1 })).toBe(5100 + 6144);
    expect(btrfsReserveBytes(1024 * MiB)).toBe(Math.ceil(1024 * MiB / 10) + 32 * MiB);
    expect(btrfsReserveBytes(16 * 1024 * MiB)).toBe(544 * MiB);
    // the room is the smallest whole MiB that holds the content and the grown partition's reserve
    for (const [content, min] of [[{ bytes: 5000, files: 1 }, 128 * MiB], [{ bytes: 2e9, files: 40_000 }, 128 * MiB], [{ bytes: 300 * MiB, files: 10 }, 900 * MiB]] as const) {
      const room = cacheRoomBytes(content, min);
      expect(room % MiB).toBe(0);
      expect(room).toBeGreaterThanOrEqual(cacheContentBytes(content) + btrfsReserveBytes(min + room));
      expect(room - MiB).toBeLessThan(cacheContentBytes(content) + btrfsReserveBytes(min + room - MiB));
    }
    const fiveK = { bytes: 5000, files: 1 };
    const small = applianceNeeds + 16 * MiB;
    expect(cacheFit(planLayout(profile('appliance'), demoManifest, small), fiveK)).toEqual({ kind: 'too-small', neededBytes: applianceNeeds + roomOnAppliance(fiveK) });
    const big = applianceNeeds + 400 * MiB;
    const room = roomOnAppliance(fiveK);
    expect(room).toBeLessThan(400 * MiB);
    const bigPlan = planLayout(profile('appliance'), demoManifest, big);
    // free where @caches lives: the spare room less what the slots grew into and what the caches take
    const free = Math.max(0, 400 * MiB - bigPlan.slotRoom!.grownBytes - room);
    expect(cacheFit(bigPlan, fiveK)).toEqual({ kind: 'fits', roomBytes: free, neededBytes: applianceNeeds + room });
    // 20,000 files of 1 byte take more room than 20 kB: each costs its metadata and block
    expect(roomOnAppliance({ bytes: 20_000, files: 20_000 })).toBeGreaterThan(room + 100 * MiB);
    expect(cacheFit(planLayout(profile('kiosk'), demoManifest, 8e9), { bytes: 5000, files: 1 })).toEqual({ kind: 'no-caches' });
  });

  it('refuses a target with too little room for the set, saying the size it needs; takes one with enough', async () => {
    const small = join(work, 'small.img');
    const smallBytes = applianceNeeds + 16 * MiB;
    const err = await refusal(prepareWriteJob({ profileId: 'appliance', bundleDir: '/opt/iios/demo', targets: [{ path: small, sizeBytes: smallBytes }], cacheSet: setFile }, deps));
    expect(err.message).toMatch(/small\.img: target is [\d.]+ GB but the appliance profile with 5\.0 kB of caches needs at least [\d.]+ GB/);
    expect(err.details).toEqual({ kind: 'too-small', profileId: 'appliance', targetBytes: smallBytes, neededBytes: applianceNeeds + roomOnAppliance({ bytes: 5000, files: 1 }), target: small });
    const { job } = await prepareWriteJob({ profileId: 'appliance', bundleDir: '/opt/iios/demo', targets: [{ path: join(work, 'big.img'), sizeBytes: applianceNeeds + 400 * MiB }], cacheSet: setFile }, deps);
    expect((job.caches ?? []).map((c) => [c.kind, c.set])).toEqual([['files', 'lab']]);
  });

  it('refuses a cache set for a profile that keeps no caches', async () => {
    const err = await refusal(prepareWriteJob({ profileId: 'kiosk', bundleDir: '/opt/iios/demo', targets: [{ path: join(work, 'k.img'), sizeBytes: 8e9 }], cacheSet: setFile }, deps));
    expect(err.details).toMatchObject({ kind: 'invalid', issues: [{ path: 'cacheSet', message: expect.stringMatching(/the kiosk profile has no @caches subvolume/) }] });
  });
});
