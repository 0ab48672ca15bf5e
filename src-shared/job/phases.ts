// The phases a target goes through in a job, in the helper's order (events.ts reports them; target-failure.ts
// names the one a target failed in).
import * as z from 'zod';

export const PHASES = ['check', 'capacity', 'wipe', 'partition', 'esp', 'slots', 'verity', 'btrfs', 'payload', 'caches', 'stamp', 'verify', 'complete'] as const;
export const Phase = z.enum(PHASES);
export type Phase = z.infer<typeof Phase>;
