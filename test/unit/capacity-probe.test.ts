// The capacity check's rules (src-shared/drives/capacity-probe.ts) on simulated sticks held in memory: honest,
// wrapping at sizes that are and are not a multiple of the check's stride (once and several times), and dropping
// writes past the real size. The helper's own I/O against real lying sticks is in test/integration/capacity-check.test.ts.
import { describe, expect, it } from 'vitest';
import { capacityVerdict, fillSectors, ProbeFindings, probePlan, readSector, SECTOR } from '../../src-shared/drives/capacity-probe.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const nonce = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);

/** A stick of `claimed` bytes whose sector at X is physically stored at where(X) (null: the write is lost). */
function simulate(claimed: number, where: (offset: number) => number | null) {
  const cells = new Map<number, Uint8Array>();
  const plan = probePlan(claimed);
  for (const r of plan.regions) {
    const data = new Uint8Array(r.length);
    fillSectors(data, r.offset, nonce);
    for (let s = 0; s < r.length; s += SECTOR) {
      const at = where(r.offset + s);
      if (at !== null) cells.set(at, data.slice(s, s + SECTOR));
    }
  }
  const findings = new ProbeFindings();
  const scratch = new Uint8Array(SECTOR);
  for (const r of plan.regions) {
    let good = true;
    for (let s = 0; s < r.length; s += SECTOR) {
      const at = where(r.offset + s);
      const got = (at !== null && cells.get(at)) || new Uint8Array(SECTOR);
      const result = readSector(got, r.offset + s, nonce, scratch);
      if (!result.ok) good = false;
      findings.sector(r.offset + s, result);
    }
    if (good) findings.regionGood(r);
  }
  return capacityVerdict(plan, findings, null);
}

describe('probePlan', () => {
  it('writes the start whole and one block per stride to the very end, a few dozen MiB for a big stick', () => {
    const plan = probePlan(64 * 1000 ** 3);
    expect(plan.stride).toBe(64 * MiB);
    expect(plan.regions[0]).toEqual({ offset: 0, length: 64 * MiB });
    expect(plan.regions.at(-1)!.offset + plan.regions.at(-1)!.length).toBe(plan.claimedBytes);
    expect(plan.bytes).toBeLessThan(140 * MiB);
    expect(probePlan(4 * GiB)).toMatchObject({ stride: 16 * MiB, lowBytes: 16 * MiB });
  });
});

describe('capacityVerdict on simulated sticks', () => {
  it('an honest stick passes', () => {
    const v = simulate(4 * GiB, (x) => x);
    expect(v.ok).toBe(true);
    expect(v.message).toMatch(/^capacity check: .* written and read back at 257 places across 4\.3 GB, all as written$/);
  });

  it.each([
    ['a multiple of the stride', 1 * GiB],
    ['not a multiple of the stride', 1 * GiB + 3 * MiB + 7 * SECTOR],
    ['smaller than the first region', 8 * MiB + SECTOR],
  ])('a stick that wraps at a real size %s: that size exactly', (_what, real) => {
    const v = simulate(4 * GiB, (x) => x % real);
    expect(v).toMatchObject({ ok: false, how: 'wraps', realBytes: real });
  });

  it('a stick that wraps several times over (claims 16 GiB, holds 1 GiB): the real size, not a multiple of it', () => {
    expect(simulate(16 * GiB, (x) => x % GiB)).toMatchObject({ ok: false, how: 'wraps', realBytes: GiB });
  });

  it('a stick that drops writes past its real size: about that size, with what to do', () => {
    const v = simulate(4 * GiB, (x) => (x < GiB ? x : null));
    expect(v).toMatchObject({ ok: false, how: 'lost' });
    // known to one stride: the end of the last block that read back, below the first that did not
    expect(v.ok ? 0 : v.realBytes).toBeGreaterThan(GiB - 16 * MiB);
    expect(v.ok ? 0 : v.realBytes).toBeLessThanOrEqual(GiB);
    expect(v.message).toBe(
      "Fake capacity: this stick says it holds 4.3 GB, but what is written past about 1.1 GB does not read back. iios stopped before writing the system. Do not use it for anyone's work: give it back to the seller.",
    );
  });
});
