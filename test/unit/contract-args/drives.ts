import type { ArgsRow } from './row.ts';

export const rows: Record<string, ArgsRow> = {
  'drives.list': { good: [undefined, {}], bad: [{ all: true }] },
  'drives.eject': {
    good: [{ id: '/dev/sdb' }, { id: '/dev/loop7' }],
    bad: [undefined, {}, { id: 'sdb' }, { id: 3 }, { id: '/dev/sdb', force: true }, { device: '/dev/sdb' }],
  },
  'drives.unmount': {
    good: [{ id: '/dev/sdb' }],
    bad: [undefined, {}, { id: 'sdb' }, { id: '/dev/sdb', lazy: true }],
  },
};
