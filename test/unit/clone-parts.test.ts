// The clone's pure parts: `btrfs subvolume list -u -q` parsed (real output captured from btrfs-progs 6.2), the
// order subvolumes are made in (holders first, a live subvolume after the snapshot it starts from, -p parents
// for snapshots of one subvolume), boot entries renamed back to +3, the Btrfs room a content size needs.
import { describe, expect, it } from 'vitest';
import { cloneOrder, parseSubvolumeList, type SourceSubvolume } from '../../helpers/steps/clone-btrfs.ts';
import { resetEntryName } from '../../helpers/steps/clone-esp.ts';
import { btrfsBytesFor } from '../../helpers/steps/clone-plan.ts';

const LIST = `ID 256 gen 12 top level 5 parent_uuid -                                    uuid 5b0b1c4e-1f4e-8b4a-9a0e-1c7e6c6d1a01 path @
ID 257 gen 10 top level 5 parent_uuid -                                    uuid 6c1c2d5f-2a5f-9c5b-ab1f-2d8f7d7e2b02 path @home
ID 258 gen 11 top level 5 parent_uuid -                                    uuid 7d2d3e60-3b60-ad6c-bc20-3e908e8f3c03 path @snapshots
ID 259 gen 11 top level 258 parent_uuid 5b0b1c4e-1f4e-8b4a-9a0e-1c7e6c6d1a01 uuid 8e3e4f71-4c71-be7d-cd31-4fa19f904d04 path @snapshots/factory
ID 260 gen 12 top level 258 parent_uuid 5b0b1c4e-1f4e-8b4a-9a0e-1c7e6c6d1a01 uuid 9f4f5082-5d82-cf8e-de42-50b2a0a15e05 path @snapshots/later
`;

const subs = (): SourceSubvolume[] => parseSubvolumeList(LIST).map((s) => ({ ...s, readOnly: s.path.startsWith('@snapshots/') }));

describe('clone parts', () => {
  it('parses btrfs subvolume list -u -q', () => {
    expect(parseSubvolumeList(LIST)[3]).toEqual({ generation: 11, parentUuid: '5b0b1c4e-1f4e-8b4a-9a0e-1c7e6c6d1a01', uuid: '8e3e4f71-4c71-be7d-cd31-4fa19f904d04', path: '@snapshots/factory' });
    expect(parseSubvolumeList(LIST).map((s) => s.path)).toEqual(['@', '@home', '@snapshots', '@snapshots/factory', '@snapshots/later']);
  });

  it('orders holders first, @ after its latest snapshot, sends the second snapshot with the first as parent, and the bulk data last', () => {
    const order = cloneOrder(subs()).map((o) => [o.sub.path, o.base?.path ?? null, o.sendParent?.path ?? null]);
    expect(order).toEqual([
      ['@snapshots', null, null],
      ['@snapshots/factory', null, null],
      ['@snapshots/later', null, '@snapshots/factory'],
      ['@', '@snapshots/later', null],
      ['@home', null, null],
    ]);
  });

  it('makes a bulk subvolume early when the system needs it: a holder of a snapshot, a snapshot of it', () => {
    // a system subvolume held by a bulk one (contrived: @ inside @caches): the bulk holder is made first anyway
    const list = [...subs().filter((s) => s.path !== '@home'), { path: '@caches', uuid: 'c1', parentUuid: null, generation: 3, readOnly: false }];
    const withNested = list.map((s) => (s.path === '@' ? { ...s, path: '@caches/@' } : s));
    const order = cloneOrder(withNested).map((o) => o.sub.path);
    expect(order.indexOf('@caches')).toBeLessThan(order.indexOf('@caches/@'));
    expect(order.indexOf('@snapshots/later')).toBeLessThan(order.indexOf('@caches/@'));
  });

  it('refuses subvolumes that cannot be ordered', () => {
    const loop = subs().map((s) => (s.path === '@snapshots' ? { ...s, readOnly: false, parentUuid: null } : s));
    // a holder that starts from a snapshot inside itself can never be made
    const bad = loop.map((s) => (s.path === '@snapshots/factory' ? { ...s, parentUuid: loop.find((x) => x.path === '@snapshots')!.uuid } : s));
    expect(() => cloneOrder(bad)).toThrow(/cannot be ordered/);
  });

  it('renames boot entries back to three tries', () => {
    expect(resetEntryName('iios-a+2-1.conf')).toBe('iios-a+3.conf');
    expect(resetEntryName('iios-a.conf')).toBe('iios-a+3.conf');
    expect(resetEntryName('iios-system+3.conf')).toBe('iios-system+3.conf');
    expect(resetEntryName('iios-b+0-3.conf')).toBe('iios-b+3.conf');
    // a classroom stick's reset entries never count boots: the clone keeps them as they are
    expect(resetEntryName('iios-reset.conf')).toBe('iios-reset.conf');
    expect(resetEntryName('iios-reset-keep-home.conf')).toBe('iios-reset-keep-home.conf');
  });

  it('asks for the content, 15% for metadata and 256 MiB, in whole MiB', () => {
    expect(btrfsBytesFor(0)).toBe(256 * 1024 * 1024);
    expect(btrfsBytesFor(1000 * 1024 * 1024)).toBe(1406 * 1024 * 1024);
  });
});
