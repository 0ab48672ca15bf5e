// On A/B profiles the slots grow with the stick (slotRoom) as the data partition does, and @caches lives in the
// data partition. The fit rule (cache-fit.ts) counts the stick's spare room for the caches; so a stick planned for
// caches (PlanOptions.caches, as the job service and the helper plan it) keeps their room for the data partition
// before the slots grow. Here: the fit answer and the planned data partition agree, on every stick size.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareWriteJob, type JobRequestDeps, type RequestError } from '../../src-main/services/jobs/job-request.ts';
import { cacheFit, cacheRoomBytes, type CacheContent } from '../../src-shared/caches/cache-fit.ts';
import { planLayout, type PartitionPlan } from '../../src-shared/layout/index.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { builtFilesSet, type BuiltFilesSet } from '../support/built-files-set.ts';
import { demoManifest } from './wizard/support/fake-services.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const appliance = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');
const needs = planLayout(appliance, demoManifest, 8 * GiB).neededBytes;
/** The data partition at its least (the smallest stick), and what it grew by on `plan`'s stick. */
const dataMin = planLayout(appliance, demoManifest, needs).partitions.at(-1)!.sizeBytes;
const dataGrowth = (plan: PartitionPlan) => plan.partitions.at(-1)!.sizeBytes - dataMin;
const rootSize = (plan: PartitionPlan) => plan.partitions.find((p) => p.role === 'root-a')!.sizeBytes;

/** 300 MiB of caches in 1,000 files: the room they need in the data partition beyond its least (about 500 MiB). */
const caches: CacheContent = { bytes: 300 * MiB, files: 1000 };
const room = cacheRoomBytes(caches, dataMin);

describe('A/B sticks planned for their caches', () => {
  it('a stick the rule accepts keeps the caches\' room in the data partition; the slots get only the rest', () => {
    // 700 MiB spare: without caches the slots, which prefer 1 GiB each, take all of it
    const disk = needs + 700 * MiB;
    expect(dataGrowth(planLayout(appliance, demoManifest, disk))).toBe(0);
    const plan = planLayout(appliance, demoManifest, disk, { caches });
    // what stays free where @caches lives: what the data partition grew by, less the caches (the slots took the rest)
    expect(cacheFit(plan, caches)).toEqual({ kind: 'fits', roomBytes: dataGrowth(plan) - room, neededBytes: needs + room });
    // the data partition grew by at least the room the rule counted: the caches fit where @caches lives
    expect(dataGrowth(plan)).toBeGreaterThanOrEqual(room);
    expect(plan.slotRoom?.cacheRoomBytes).toBe(room);
    // the slots grew with what was left (a whole MiB each, with their hash trees)
    expect(rootSize(plan)).toBeGreaterThan(plan.slotRoom!.minimumBytes);
    expect(plan.slotRoom!.grownBytes + dataGrowth(plan)).toBe(700 * MiB);
  });

  it('a stick with less spare room than the caches need is refused, and its slots keep their least', () => {
    const disk = needs + room - MiB;
    const plan = planLayout(appliance, demoManifest, disk, { caches });
    expect(cacheFit(plan, caches)).toEqual({ kind: 'too-small', neededBytes: needs + room });
    expect(rootSize(plan)).toBe(plan.slotRoom!.minimumBytes);
    // one MiB more and they fit, all of the spare room in the data partition
    const exact = planLayout(appliance, demoManifest, needs + room, { caches });
    expect(cacheFit(exact, caches)).toMatchObject({ kind: 'fits', roomBytes: 0 });
    expect(dataGrowth(exact)).toBe(room);
  });

  it('on every stick size (MiB by MiB) and several cache sizes, the fit answer and the planned data partition agree', () => {
    for (const content of [caches, { bytes: 5000, files: 1 }, { bytes: 1.5 * GiB, files: 20_000 }]) {
      const need = cacheRoomBytes(content, dataMin);
      for (let spare = 0; spare <= need + 2.5 * GiB; spare += 7 * MiB) {
        const plan = planLayout(appliance, demoManifest, needs + spare, { caches: content });
        const fit = cacheFit(plan, content);
        // what the rule says is what the layout gives the data partition
        expect(fit.kind).toBe(spare >= need ? 'fits' : 'too-small');
        if (fit.kind === 'fits') expect(dataGrowth(plan)).toBeGreaterThanOrEqual(need);
        // the plan given without caches (the GUI's preview of a stick) gets the same answer
        expect(cacheFit(planLayout(appliance, demoManifest, needs + spare), content).kind).toBe(fit.kind);
      }
    }
  });

  it('a re-plan with the room the stamp recorded lays the stick out as it was written', () => {
    const disk = needs + 1200 * MiB;
    const written = planLayout(appliance, demoManifest, disk, { caches });
    const again = planLayout(appliance, demoManifest, disk, { cacheRoomBytes: written.slotRoom!.cacheRoomBytes! });
    expect(again.partitions).toEqual(written.partitions);
  });
});

describe('the job service plans each target for its cache set', () => {
  let work: string;
  let setFile: string;
  const deps: JobRequestDeps = { loadProfile: async () => appliance, loadBundle: async () => demoManifest, imageBytes: async () => 0, deviceBytes: async () => 0 };
  // a built set of one 40 MiB file: its room (about 200 MiB) is more than the data partition gets without it
  const content: CacheContent = { bytes: 40 * MiB, files: 1 };
  const setRoom = cacheRoomBytes(content, dataMin);

  let built: BuiltFilesSet;
  beforeAll(async () => {
    built = await builtFilesSet('iios-cachefit-ab-', { name: 'big.bin', content: Buffer.alloc(40 * MiB, 7) });
    ({ work, setFile } = built);
  });
  afterAll(async () => {
    await built?.cleanup();
  });

  it('accepts a stick with the room and plans its data partition to hold the caches; refuses one without', async () => {
    const disk = needs + 700 * MiB;
    expect(dataGrowth(planLayout(appliance, demoManifest, disk))).toBeLessThan(setRoom);
    const { plans } = await prepareWriteJob({ profileId: 'appliance', bundleDir: '/opt/iios/demo', targets: [{ path: join(work, 'ok.img'), sizeBytes: disk }], cacheSet: setFile }, deps);
    expect(dataGrowth(plans[0]!.plan)).toBeGreaterThanOrEqual(setRoom);
    expect(plans[0]!.plan.slotRoom?.cacheRoomBytes).toBe(setRoom);
    const small = join(work, 'small.img');
    const err = await prepareWriteJob({ profileId: 'appliance', bundleDir: '/opt/iios/demo', targets: [{ path: small, sizeBytes: needs + setRoom - MiB }], cacheSet: setFile }, deps).then(
      () => expect.fail('not refused'),
      (e: unknown) => e as RequestError,
    );
    expect(err.details).toEqual({ kind: 'too-small', profileId: 'appliance', targetBytes: needs + setRoom - MiB, neededBytes: needs + setRoom, target: small });
  });
});
