import type { EarlyHelper } from '../services/jobs/early-helper.ts';

export const EARLY_HELPER: unique symbol;
export function earlyToolPath(path: string | undefined): string;
export function wantsEarlyHelper(argv: string[], uid?: number): boolean;
export function startEarlyHelper(root: string, helperFile: string): EarlyHelper;
