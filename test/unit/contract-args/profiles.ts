import type { ArgsRow } from './row.ts';

export const rows: Record<string, ArgsRow> = {
  'profiles.list': { good: [undefined, {}], bad: [{ id: 'appliance' }] },
  'bundles.default': { good: [undefined, {}], bad: [{ dir: '/x' }] },
  'bundles.library': { good: [undefined, {}], bad: [{ sticks: false }] },
  'bundles.inspect': {
    good: [{ dir: '/srv/bundle' }, { dir: '/srv/bundle', verify: true }],
    bad: [undefined, {}, { dir: 'relative/bundle' }, { dir: '/srv/bundle', verify: 'yes' }, { dir: '/srv/bundle', extra: 1 }],
  },
  'images.inspect': {
    good: [{ path: '/srv/os.img.xz' }],
    bad: [undefined, {}, { path: 'os.img' }, { path: '/srv/os.img', size: 1 }],
  },
  'plan.compute': {
    good: [
      { profile: 'appliance', targetBytes: 16 * 2 ** 30 },
      { profile: 'kiosk', targetBytes: 8e9, sectorSize: 4096, bundleDir: '/srv/bundle' },
      { profile: 'classroom', targetBytes: 8e9, rootfsSizeBytes: 300e6, seed: 'job-1/t1' },
      { profile: 'raw', targetBytes: 8e9, imagePath: '/srv/os.iso', persistence: true },
      { profile: 'appliance', targetBytes: 32e9, caches: { bytes: 28e9, files: 2 } },
    ],
    bad: [
      undefined,
      {},
      { profile: 'appliance' },
      { profile: '', targetBytes: 1 },
      { profile: 'appliance', targetBytes: 0 },
      { profile: 'appliance', targetBytes: 1.5 },
      { profile: 'appliance', targetBytes: 8e9, sectorSize: 1024 },
      { profile: 'appliance', targetBytes: 8e9, bundleDir: 'bundle' },
      { profile: 'appliance', targetBytes: 8e9, size: '16G' },
      { profile: 'appliance', targetBytes: 8e9, caches: { bytes: -1, files: 0 } },
      { profile: 'appliance', targetBytes: 8e9, caches: { bytes: 1 } },
    ],
  },
};
