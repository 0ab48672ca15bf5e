import type { ArgsRow } from './row.ts';

export const rows: Record<string, ArgsRow> = {
  'drives.list': { good: [undefined, {}], bad: [{ all: true }] },
  'drives.eject': {
    good: [{ id: '/dev/sdb' }, { id: '/dev/loop7' }],
    bad: [undefined, {}, { id: 'sdb' }, { id: 3 }, { id: '/dev/sdb', force: true }, { device: '/dev/sdb' }],
  },
  'drives.portLabels': { good: [undefined, {}], bad: [{ key: 'x' }] },
  'drives.setPortLabel': {
    good: [{ key: 'pci-0000:00:14.0/1.4', label: 'left hub, 4' }, { key: 'file:/tmp/a.img', label: null }, { key: 'k', label: '' }],
    bad: [undefined, {}, { key: '', label: 'x' }, { key: 'k' }, { key: 'k', label: 'x'.repeat(41) }, { key: 'k', label: 3 }, { key: 'k', label: 'x', extra: 1 }],
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
