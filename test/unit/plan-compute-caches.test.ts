// `iios plan` and the plan.compute channel plan an A/B stick for the caches it will carry, as the job service and
// the helper do: the slots grow only into the room the caches leave, and the plan records the room it kept.
import { describe, expect, it } from 'vitest';
import { computePlan } from '../../src-main/services/sources/plans.ts';

const rootA = (plan: { partitions: { role: string; sizeBytes: number }[] }) => plan.partitions.find((p) => p.role === 'root-a')!.sizeBytes;

describe('plan.compute with caches', () => {
  it('keeps the caches’ room for the data partition before the slots grow', async () => {
    const base = { profile: 'appliance', targetBytes: 32e9, rootfsSizeBytes: 40e6 };
    const bare = await computePlan(base);
    const kept = await computePlan({ ...base, caches: { bytes: 28e9, files: 2 } });
    expect(rootA(kept.plan)).toBeLessThan(rootA(bare.plan));
    expect(kept.plan.slotRoom?.cacheRoomBytes).toBeGreaterThan(28e9);
    const data = (p: typeof kept.plan) => p.partitions.at(-1)!.sizeBytes;
    expect(data(kept.plan)).toBeGreaterThan(data(bare.plan));
  });
});
