import type { ArgsRow } from './row.ts';

export const rows: Record<string, ArgsRow> = {
  'app.info': { good: [undefined, {}], bad: [{ verbose: true }] },
};
