import type { ArgsRow } from './row.ts';

const target = { path: '/dev/sdb' };

export const rows: Record<string, ArgsRow> = {
  'jobs.start': {
    good: [
      { profileId: 'appliance', bundleDir: '/srv/bundle', targets: [target] },
      { profileId: 'raw', imagePath: '/srv/x.img', targets: [{ path: '/tmp/out.img', sizeBytes: 1 << 30 }], persistence: true },
      { profileId: 'classroom', bundleDir: '/b', targets: [target, { path: '/dev/sdc' }], namePattern: 'class-{nn}', firstNumber: 1, verify: true },
    ],
    bad: [
      undefined,
      {},
      { profileId: 'appliance', bundleDir: '/b', targets: [] },
      { profileId: '', bundleDir: '/b', targets: [target] },
      { profileId: 'appliance', bundleDir: 'relative/dir', targets: [target] },
      { profileId: 'appliance', bundleDir: '/b', targets: [{ path: 'sdb' }] },
      { profileId: 'appliance', bundleDir: '/b', targets: [{ path: '/dev/sdb', sizeBytes: -5 }] },
      { profileId: 'appliance', bundleDir: '/b', targets: [target], rm: '-rf' },
      // exactly one source: a bundle or a disk image
      { profileId: 'appliance', targets: [target] },
      { profileId: 'raw', bundleDir: '/b', imagePath: '/x.img', targets: [target] },
      // names count from 1, as the names module does
      { profileId: 'appliance', bundleDir: '/b', targets: [target], firstNumber: 0 },
      // a cache kind the helper's job schema would refuse later
      { profileId: 'appliance', bundleDir: '/b', targets: [target], caches: [{ kind: 'Apt Cache', path: '/srv/apt' }] },
    ],
  },
  'jobs.clone': {
    good: [
      { sourcePath: '/dev/sdb', targets: [target] },
      { sourcePath: '/srv/class.img', targets: [target, { path: '/tmp/copy.img', sizeBytes: 1 << 30 }], namePattern: 'class-{nn}', firstNumber: 3, fresh: true, verify: true },
    ],
    bad: [
      undefined,
      {},
      { sourcePath: '/dev/sdb', targets: [] },
      { sourcePath: 'sdb', targets: [target] },
      { sourcePath: '/dev/sdb', targets: [{ path: 'sdc' }] },
      { sourcePath: '/dev/sdb', targets: [target], fresh: 'yes' },
      { sourcePath: '/dev/sdb', targets: [target], profileId: 'appliance' },
    ],
  },
  'jobs.update': {
    good: [
      { source: { kind: 'bundle', dir: '/srv/demo-2/bundle' }, targets: [target] },
      { source: { kind: 'stick', path: '/dev/sdc' }, targets: [target, { path: '/tmp/field.img' }] },
    ],
    bad: [
      undefined,
      {},
      { source: { kind: 'bundle', dir: '/b' }, targets: [] },
      { source: { kind: 'bundle', dir: 'b' }, targets: [target] },
      { source: { kind: 'stick', dir: '/dev/sdc' }, targets: [target] },
      { source: { kind: 'web', url: 'https://x' }, targets: [target] },
      // a stick is updated in place: it has its own size
      { source: { kind: 'bundle', dir: '/b' }, targets: [{ path: '/tmp/x.img', sizeBytes: 1 << 30 }] },
    ],
  },
  'jobs.payload': {
    good: [{ target: { path: '/dev/sdb' }, files: ['/srv/piece.html'] }],
    bad: [undefined, { target: { path: '/dev/sdb' }, files: [] }, { target: { path: '/dev/sdb' }, files: ['piece.html'] }, { targets: [target], files: ['/a'] }],
  },
  'jobs.cancel': { good: [undefined, {}], bad: [{ jobId: 'x' }] },
  'jobs.current': { good: [undefined, {}], bad: [{ all: true }] },
  'caches.list': { good: [undefined, {}], bad: [{ kind: 'apt' }] },
};
