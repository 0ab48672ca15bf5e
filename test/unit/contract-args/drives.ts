import type { ArgsRow } from './row.ts';

export const rows: Record<string, ArgsRow> = {
  'drives.list': { good: [undefined, {}], bad: [{ all: true }] },
  'drives.eject': {
    good: [{ id: '/dev/sdb' }, { id: '/dev/loop7' }],
    bad: [undefined, {}, { id: 'sdb' }, { id: 3 }, { id: '/dev/sdb', force: true }, { device: '/dev/sdb' }],
  },
  'drives.checkImageFolder': {
    good: [{ path: '/home/u/class.img', sizeBytes: 8e9 }, { path: '/tmp/a.img', sizeBytes: 1, writeBytes: 0 }],
    bad: [undefined, {}, { path: 'class.img', sizeBytes: 8e9 }, { path: '/tmp/a.img', sizeBytes: 0 }, { path: '/tmp/a.img', sizeBytes: 1, writeBytes: -1 }, { path: '/tmp/a.img', sizeBytes: 1, mkdir: true }],
  },
  'drives.unmount': {
    good: [{ id: '/dev/sdb' }],
    bad: [undefined, {}, { id: 'sdb' }, { id: '/dev/sdb', lazy: true }],
  },
};
