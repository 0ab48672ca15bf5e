// Properties of planLayout over random profiles, bundles, target sizes and sector sizes: partitions never
// overlap, stay aligned and inside the usable LBA range, hold their content, A and B have the same size,
// too-small is refused exactly below the size it names, and the same inputs give the same plan.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  planLayout, PlanError, TooSmallError, verityHashBytes, type BundleSizes, type PartitionPlan, type SectorSize,
} from '../../src-shared/layout/index.ts';
import { parseAbsoluteBytes, validateImageProfile, type ImageProfile } from '../../src-shared/profile/index.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const absolute = fc.oneof(
  fc.integer({ min: 1, max: 2048 }).map((n) => `${n}MiB`),
  fc.integer({ min: 1, max: 4 * MiB }).map((n) => `${n}KiB`),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 99 })).map(([a, b]) => `${a}.${b}GiB`),
);
const fit = fc.oneof(
  fc.constant('fit'),
  fc.integer({ min: 0, max: 400 }).map((p) => `fit + ${p}%`),
  fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 })).map(([a, b]) => `fit + ${a}.${String(b).padStart(2, '0')}%`),
  fc.integer({ min: 1, max: 512 }).map((n) => `fit + ${n}MiB`),
);

/** Random but valid profiles: ab (one or two slots, optional payload) or writable, the last partition growing or fixed. */
const profileArb: fc.Arbitrary<ImageProfile> = fc
  .record({
    mode: fc.constantFrom('ab', 'writable'),
    esp: fc.integer({ min: 1, max: 1024 }).map((n) => `${n}MiB`),
    slotSize: fc.oneof(fit, absolute),
    veritySize: fc.oneof(fit, fc.integer({ min: 1, max: 64 }).map((n) => `${n}MiB`)),
    twoSlots: fc.boolean(),
    payload: fc.option(fc.record({ size: fc.integer({ min: 1, max: 256 }).map((n) => `${n}MiB`), fs: fc.constantFrom('ext4', 'vfat') })),
    grows: fc.boolean(),
    last: fc.oneof(absolute, fc.constant('grow')),
    minSize: fc.option(fc.oneof(absolute, fit)),
    dataFs: fc.constantFrom('btrfs', 'ext4'),
  })
  .map((r) => {
    const parts: Record<string, unknown>[] = [{ role: 'esp', size: r.esp, filesystem: 'vfat' }];
    const last: Record<string, unknown> = {};
    if (r.mode === 'ab') {
      parts.push({ role: 'root-a', size: r.slotSize }, { role: 'verity-a', size: r.veritySize });
      if (r.twoSlots) parts.push({ role: 'root-b', size: r.slotSize }, { role: 'verity-b', size: r.veritySize });
      if (r.payload) parts.push({ role: 'payload', size: r.payload.size, filesystem: r.payload.fs });
      Object.assign(last, { role: 'data', filesystem: r.dataFs });
    } else {
      Object.assign(last, { role: 'system', filesystem: 'btrfs' });
    }
    if (r.grows) {
      last.size = 'grow';
      // "fit" minima only for the system partition (data holds no bundle image)
      if (r.minSize && (r.mode === 'writable' || !r.minSize.startsWith('fit'))) last.minSize = r.minSize;
    } else {
      // a fixed Btrfs partition needs at least 128 MiB: keep fixed last partitions above that
      last.size = `${128 + (r.esp.length * 37) % 900}MiB`;
    }
    parts.push(last);
    return validateImageProfile({ format: 1, id: 'random', title: 'Random', description: 'generated', mode: r.mode, partitions: parts });
  });

const bundleArb: fc.Arbitrary<BundleSizes> = fc
  .oneof(fc.integer({ min: 1, max: 64 * MiB }), fc.integer({ min: 64 * MiB, max: 6 * GiB }))
  .map((rootfsBytes) => ({ rootfsKind: 'squashfs' as const, rootfsBytes, verityBytes: verityHashBytes(rootfsBytes) }));

const targetArb = fc.oneof(
  fc.integer({ min: 0, max: 64 * GiB }),
  fc.integer({ min: 1, max: 4096 }).map((g) => g * GiB),
  fc.integer({ min: 1, max: 4 * 1024 * 1024 }).map((m) => m * MiB + 512),
);
const sectorArb = fc.constantFrom<SectorSize>(512, 4096);

/** A fixed slot smaller than its content is a refusal of its own (not a too-small target): check it is real. */
function slotTooSmallForContent(err: unknown, profile: ImageProfile, bundle: BundleSizes): boolean {
  if (!(err instanceof PlanError) || err instanceof TooSmallError || !/but its content is/.test(err.message)) return false;
  return profile.partitions.some((p) => {
    const bytes = parseAbsoluteBytes(p.size);
    if (bytes === null) return false;
    const content = p.role.startsWith('root-') ? bundle.rootfsBytes : p.role.startsWith('verity-') ? bundle.verityBytes! : Infinity;
    return Math.ceil(bytes / MiB) * MiB < content;
  });
}

function attempt(run: () => PartitionPlan): PartitionPlan | string {
  try {
    return run();
  } catch (err) {
    return (err as Error).message;
  }
}

function checkPlan(plan: PartitionPlan, bundle: BundleSizes): void {
  const ss = plan.sectorSize;
  expect(plan.lastUsableLba).toBe(Math.floor(plan.diskBytes / ss) - 2 - 16384 / ss);
  let previousEnd = 0;
  for (const p of plan.partitions) {
    expect(p.startBytes).toBe(p.startLba * ss);
    expect(p.sizeBytes).toBe(p.sizeLba * ss);
    expect(p.startBytes % MiB).toBe(0);
    expect(p.sizeBytes % MiB).toBe(0);
    expect(p.sizeLba).toBeGreaterThan(0);
    expect(p.startLba).toBeGreaterThanOrEqual(plan.firstUsableLba);
    expect(p.startLba + p.sizeLba - 1).toBeLessThanOrEqual(plan.lastUsableLba);
    expect(p.startBytes).toBeGreaterThanOrEqual(previousEnd); // in order, no overlap
    previousEnd = p.startBytes + p.sizeBytes;
    if (p.role.startsWith('root-')) expect(p.sizeBytes).toBeGreaterThanOrEqual(bundle.rootfsBytes);
    if (p.role.startsWith('verity-')) {
      expect(p.sizeBytes).toBeGreaterThanOrEqual(bundle.verityBytes!);
      expect(p.attributes).toEqual([60]);
    }
    if (p.filesystem === 'btrfs') expect(p.sizeBytes).toBeGreaterThanOrEqual(128 * MiB);
  }
  const bySlot = (role: string) => plan.partitions.find((p) => p.role === role)?.sizeBytes;
  if (bySlot('root-b') !== undefined) {
    expect(bySlot('root-b')).toBe(bySlot('root-a'));
    expect(bySlot('verity-b')).toBe(bySlot('verity-a'));
  }
  expect(plan.neededBytes).toBeLessThanOrEqual(plan.diskBytes);
  expect(new Set(plan.partitions.map((p) => p.index)).size).toBe(plan.partitions.length);
}

describe('planLayout properties', () => {
  it('either a valid plan or a too-small refusal that names the exact size needed', () => {
    fc.assert(
      fc.property(profileArb, bundleArb, targetArb, sectorArb, (profile, bundle, target, sectorSize) => {
        let plan: PartitionPlan;
        try {
          plan = planLayout(profile, bundle, target, { sectorSize });
        } catch (err) {
          if (slotTooSmallForContent(err, profile, bundle)) return;
          if (!(err instanceof TooSmallError)) throw err;
          expect(err.neededBytes).toBeGreaterThan(target);
          // the needed size itself works, and is the smallest plan of this profile and bundle
          const atNeed = planLayout(profile, bundle, err.neededBytes, { sectorSize });
          checkPlan(atNeed, bundle);
          expect(atNeed.neededBytes).toBe(err.neededBytes);
          return;
        }
        checkPlan(plan, bundle);
        const growing = plan.partitions.at(-1)!;
        if (profile.partitions.at(-1)!.size === 'grow') {
          // the growing partition ends less than 1 MiB before the end of the usable range
          const usableEnd = (plan.lastUsableLba + 1) * sectorSize;
          expect(usableEnd - (growing.startBytes + growing.sizeBytes)).toBeLessThan(MiB);
        }
        expect(() => planLayout(profile, bundle, plan.neededBytes - 1, { sectorSize })).toThrow(TooSmallError);
      }),
      { numRuns: 400 },
    );
  });

  it('is deterministic: the same inputs (and seed) give the same plan', () => {
    fc.assert(
      fc.property(profileArb, bundleArb, sectorArb, fc.string({ maxLength: 20 }), (profile, bundle, sectorSize, seed) => {
        const target = 4096 * GiB;
        const a = attempt(() => planLayout(profile, bundle, target, { sectorSize, seed }));
        const b = attempt(() => planLayout(structuredClone(profile), { ...bundle }, target, { sectorSize, seed }));
        expect(b).toEqual(a);
        if (typeof a === 'string') return;
        const guids = [a.diskGuid, ...a.partitions.map((p) => p.uniqueGuid)];
        expect(new Set(guids).size).toBe(guids.length);
      }),
      { numRuns: 150 },
    );
  });

  it('raw images: the persistence partition starts at the first MiB boundary at or after the image', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 * GiB }), targetArb, sectorArb, (imageBytes, target, sectorSize) => {
        const profile = validateImageProfile({
          format: 1, id: 'raw', title: 'Raw', description: 'image', mode: 'raw', raw: { persistence: { enabled: true } },
        });
        let plan: PartitionPlan;
        try {
          plan = planLayout(profile, { imageBytes }, target, { sectorSize });
        } catch (err) {
          if (!(err instanceof TooSmallError)) throw err;
          expect(err.neededBytes).toBeGreaterThan(target);
          return;
        }
        const [image, data] = plan.partitions;
        expect(image).toMatchObject({ startBytes: 0, sizeBytes: imageBytes });
        expect(data!.startBytes).toBeGreaterThanOrEqual(imageBytes);
        expect(data!.startBytes - imageBytes).toBeLessThan(MiB);
        expect(data!.startBytes % MiB).toBe(0);
        expect(data!.sizeBytes).toBeGreaterThanOrEqual(256 * MiB);
        expect(data!.startLba + data!.sizeLba - 1).toBeLessThanOrEqual(plan.lastUsableLba);
      }),
      { numRuns: 300 },
    );
  });
});
