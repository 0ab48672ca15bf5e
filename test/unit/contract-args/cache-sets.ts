import type { ArgsRow } from './row.ts';

export const rows: Record<string, ArgsRow> = {
  'cachesets.list': { good: [undefined, {}], bad: [{ id: 'lab' }] },
  'cachesets.open': { good: [{ set: 'lab' }, { set: '/srv/lab.yaml' }], bad: [undefined, {}, { set: '' }, { set: 'lab', kinds: ['apt'] }] },
  'cachesets.build': { good: [{ set: 'lab' }], bad: [undefined, {}, { set: 1 }, { set: 'lab', force: true }] },
};
