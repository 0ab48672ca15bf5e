// A clone of an A/B stick whose data filled it: the room its content needs is kept for the data partition before
// the slots grow, so it clones onto a stick of the source's size, and the size a too-small target is told it
// needs is one the clone then fits (the slots would otherwise take that room first).
import { describe, expect, it } from 'vitest';
import { planClone, btrfsBytesFor } from '../../helpers/steps/clone-plan.ts';
import type { IiosSource } from '../../helpers/steps/clone-source.ts';
import { TooSmallError } from '../../src-shared/layout/index.ts';
import { builtInProfiles, demoManifest } from './wizard/support/fake-services.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const appliance = builtInProfiles().find((p) => p.id === 'appliance')!;

/** An appliance source whose iios-data holds `usedBytes` (only what planClone reads of a source). */
function source(usedBytes: number): IiosSource {
  return {
    profile: appliance,
    manifests: { a: demoManifest, b: demoManifest },
    btrfs: [{ part: { name: 'iios-data' }, usedBytes }],
  } as unknown as IiosSource;
}

const size = (plan: { partitions: { name: string; sizeBytes: number }[] }, name: string) => plan.partitions.find((p) => p.name === name)!.sizeBytes;

describe('planClone on A/B profiles', () => {
  it('keeps the data’s room before the slots grow, so a full 2 GiB stick clones onto 2 GiB', () => {
    const used = 900 * MiB;
    const plan = planClone(source(used), 2 * GiB);
    expect(size(plan, 'iios-data')).toBeGreaterThanOrEqual(btrfsBytesFor(used));
    expect(size(plan, 'iios-root-a')).toBeLessThan(1 * GiB);
    expect(plan.slotRoom?.cacheRoomBytes).toBeGreaterThan(0);
  });

  it('tells a too-small target a size the clone then fits', () => {
    const src = source(900 * MiB);
    let needed = 0;
    try {
      planClone(src, 900 * MiB);
      expect.unreachable('a 900 MiB target is too small for 900 MiB of data');
    } catch (err) {
      expect(err).toBeInstanceOf(TooSmallError);
      needed = (err as TooSmallError).neededBytes;
    }
    expect(() => planClone(src, needed)).not.toThrow();
    // and no bigger than it must be: a MiB less is refused
    expect(() => planClone(src, needed - MiB)).toThrow(TooSmallError);
  });

  it('gives a roomy target’s slots their preferred size', () => {
    const plan = planClone(source(100 * MiB), 16 * GiB);
    expect(size(plan, 'iios-root-a')).toBe(1 * GiB);
  });
});
