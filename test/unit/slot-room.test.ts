// The appliance profile's A/B slots leave room for larger updates: max(fit + 25%, 1GiB) where the stick allows it,
// else the largest whole MiB it allows (never less than fit + 25%), each verity partition sized for a root image
// that fills its slot; the plan says which it got (plan.slotRoom, `iios plan`, the wizard's layout).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planLayout, TooSmallError, verityHashBytes, type BundleSizes, type PartitionPlan } from '../../src-shared/layout/index.ts';
import { slotRoomText } from '../../src-shared/layout/slot-room-text.ts';
import { parseImageProfile, ProfileError } from '../../src-shared/profile/index.ts';
import { updateFit } from '../../src-shared/stick/update-fit.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const appliance = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');
const bundle = (rootfsBytes: number): BundleSizes => ({ rootfsKind: 'squashfs', rootfsBytes, verityBytes: verityHashBytes(rootfsBytes), arch: 'x86_64' });
const part = (plan: PartitionPlan, name: string) => plan.partitions.find((p) => p.name === name)!;
const alignUp = (n: number) => Math.ceil(n / MiB) * MiB;

function contiguous(plan: PartitionPlan): void {
  for (let i = 1; i < plan.partitions.length; i++) {
    const [a, b] = [plan.partitions[i - 1]!, plan.partitions[i]!];
    expect(b.startBytes).toBe(a.startBytes + a.sizeBytes);
  }
}

describe('A/B slot room: max(fit + 25%, 1GiB) where the stick allows', () => {
  const content = bundle(200 * MiB);
  const minimum = alignUp((200 * MiB * 5) / 4);

  it('gives each slot 1 GiB on a stick with the room, its verity partition the hash tree of a full slot', () => {
    const plan = planLayout(appliance, content, 16 * GiB);
    for (const slot of ['a', 'b']) {
      expect(part(plan, `iios-root-${slot}`).sizeBytes).toBe(GiB);
      expect(part(plan, `iios-verity-${slot}`).sizeBytes).toBe(alignUp(verityHashBytes(GiB)));
    }
    // what the slots took beyond their least layout (the stick of exactly the profile's minimum)
    const least = planLayout(appliance, content, plan.neededBytes);
    const grownBytes = 2 * (GiB - minimum) + 2 * (alignUp(verityHashBytes(GiB)) - part(least, 'iios-verity-a').sizeBytes);
    expect(plan.slotRoom).toEqual({ rootBytes: GiB, verityBytes: alignUp(verityHashBytes(GiB)), preferredBytes: GiB, minimumBytes: minimum, grownBytes });
    expect(slotRoomText(plan.slotRoom!)).toBe('Each system slot holds 1.1 GB: updates up to that size fit without writing the stick again.');
    contiguous(plan);
    // a 1 GiB root image (with its hash tree) fits the slot an update writes; one byte more does not
    const room = { rootBytes: part(plan, 'iios-root-b').sizeBytes, verityBytes: part(plan, 'iios-verity-b').sizeBytes };
    expect(updateFit(room, { rootfsBytes: GiB, verityBytes: null }).fits).toBe(true);
    expect(updateFit(room, { rootfsBytes: GiB + 4096, verityBytes: null })).toMatchObject({ fits: false, neededRootBytes: GiB + 4096 });
  });

  it('the minimum stays what the profile needs: the plan for the smallest stick has slots of fit + 25%', () => {
    const small = (() => {
      try {
        planLayout(appliance, content, 64 * MiB);
      } catch (err) {
        return (err as TooSmallError).neededBytes;
      }
      throw new Error('64 MiB should be too small');
    })();
    const plan = planLayout(appliance, content, small);
    expect(part(plan, 'iios-root-a').sizeBytes).toBe(minimum);
    expect(plan.slotRoom).toMatchObject({ rootBytes: minimum, preferredBytes: GiB, minimumBytes: minimum });
    expect(slotRoomText(plan.slotRoom!)).toBe(
      'Each system slot holds 262 MB; the profile prefers 1.1 GB, but this stick has no room for more: a larger update means writing the stick again.',
    );
    expect(() => planLayout(appliance, content, small - 512)).toThrow(TooSmallError);
  });

  it('in between, the slots take the largest whole MiB the stick allows and the data partition keeps its minimum', () => {
    for (const size of [2 * GiB, 2.5 * GiB, 3 * GiB + 7 * MiB]) {
      const plan = planLayout(appliance, content, size);
      const room = plan.slotRoom!;
      expect(room.rootBytes).toBeGreaterThan(minimum);
      expect(room.rootBytes).toBeLessThanOrEqual(GiB);
      expect(room.rootBytes % MiB).toBe(0);
      expect(part(plan, 'iios-data').sizeBytes).toBeGreaterThanOrEqual(GiB);
      contiguous(plan);
      if (room.rootBytes < GiB) {
        // one MiB more per slot (with its larger hash tree) leaves the data partition under its minimum
        const spare = part(plan, 'iios-data').sizeBytes - GiB;
        const more = 2 * MiB + 2 * (alignUp(verityHashBytes(room.rootBytes + MiB)) - room.verityBytes);
        expect(more).toBeGreaterThan(spare);
      }
    }
  });

  it('a bundle whose fit + 25% is more than 1 GiB gets fit + 25%', () => {
    const large = bundle(900 * MiB);
    const plan = planLayout(appliance, large, 16 * GiB);
    expect(part(plan, 'iios-root-a').sizeBytes).toBe(alignUp((900 * MiB * 5) / 4));
    expect(plan.slotRoom).toMatchObject({ rootBytes: alignUp((900 * MiB * 5) / 4), preferredBytes: alignUp((900 * MiB * 5) / 4) });
  });

  it('profiles without a preferred slot size are planned as before, with no slotRoom', async () => {
    const kiosk = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/kiosk.yaml'), 'utf8'), 'kiosk.yaml', 'kiosk');
    const plan = planLayout(kiosk, content, 16 * GiB);
    expect(plan.slotRoom).toBeUndefined();
    expect(part(plan, 'iios-root-a').sizeBytes).toBe(alignUp((200 * MiB * 11) / 10));
  });

  it('refuses a preferredSize where it means nothing', () => {
    const yaml = (a: string, b = a, extra = '') => `format: 1
id: t
title: T
description: test
mode: ab
partitions:
  - { role: esp, size: 256MiB }
  - { role: root-a, size: fit + 25%${a} }
  - { role: verity-a, size: fit + 25% }
  - { role: root-b, size: fit + 25%${b} }
  - { role: verity-b, size: fit + 25% }
  - { role: data, size: grow, minSize: 1GiB${extra} }
`;
    expect(() => parseImageProfile(yaml(', preferredSize: 1GiB'), 't.yaml')).not.toThrow();
    const issues = (text: string) => {
      try {
        parseImageProfile(text, 't.yaml');
      } catch (err) {
        return (err as ProfileError).message;
      }
      return '';
    };
    expect(issues(yaml(', preferredSize: fit + 50%'))).toMatch(/preferredSize.*must be absolute/);
    expect(issues(yaml(', preferredSize: 1GiB', ', preferredSize: 2GiB'))).toMatch(/slot b must prefer the same size as slot a/);
    expect(issues(yaml('', '', ', preferredSize: 2GiB'))).toMatch(/only an A\/B root slot/);
  });
});
