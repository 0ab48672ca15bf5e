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
    ],
  },
  'jobs.cancel': { good: [undefined, {}], bad: [{ jobId: 'x' }] },
  'jobs.current': { good: [undefined, {}], bad: [{ all: true }] },
  'caches.list': { good: [undefined, {}], bad: [{ kind: 'apt' }] },
};
