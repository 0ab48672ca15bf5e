import type { ArgsRow } from './row.ts';

export const rows: Record<string, ArgsRow> = {
  'sticks.inspect': {
    good: [{ path: '/dev/sdb' }, { path: '/home/teacher/class.img' }],
    bad: [undefined, {}, { path: 'sdb' }, { path: '/dev/sdb', write: true }],
  },
};
