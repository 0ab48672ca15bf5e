// The CloneJob: a stick (or a disk image) as the source, copied onto one or more targets. The helper accepts it
// beside the WriteJob (helperJob below tells them apart) and reports the same JobEvents.
import * as z from 'zod';
import { PayloadJob, UpdateJob } from './update-job.ts';
import { WriteJob, WriteTarget } from './write-job.ts';
import { ruleParams } from '../contract/field-issue.ts';

const plainId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);

export const CloneJob = z
  .object({
    kind: z.literal('clone'),
    jobId: plainId,
    /** The stick to copy: a whole block device, or a disk image file (.img). Never written. */
    sourcePath: z.string().startsWith('/'),
    /** Each target gets its own name (hostname) and a plan for its own size. */
    targets: z.array(WriteTarget).min(1).max(64),
    /** The same system, bundles and caches, but an empty @home and @state. */
    fresh: z.boolean().default(false),
    verify: z.boolean().default(true),
    unmountIfMounted: z.boolean().default(false),
    /** Before writing, check each stick for fake capacity, as a write does (helpers/steps/capacity-check.ts). */
    capacityCheck: z.boolean().default(false),
  })
  .superRefine((job, ctx) => {
    const ids = new Set<string>();
    const paths = new Set<string>();
    job.targets.forEach((t, i) => {
      if (ids.has(t.id)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'id'], message: `duplicate target id ${t.id}`, ...ruleParams('duplicate-id', { id: t.id }) });
      if (paths.has(t.path)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'path'], message: `duplicate target ${t.path}`, ...ruleParams('duplicate-target', { target: t.path }) });
      if (t.path === job.sourcePath) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'path'], message: `${t.path} is the clone's source; it is never written`, ...ruleParams('target-is-source', { target: t.path }) });
      }
      ids.add(t.id);
      paths.add(t.path);
    });
  });
export type CloneJob = z.infer<typeof CloneJob>;
export type CloneJobInput = z.input<typeof CloneJob>;

/** Jobs on one stick in place: repair (ESP and slots from its stored bundle), reset (classroom: back to factory). */
export const StickJob = z.object({
  kind: z.enum(['repair', 'reset']),
  jobId: plainId,
  /** the stick: a whole block device or an image file; its name doubles as the one target of the job */
  target: WriteTarget.omit({ hostname: true }),
  /** reset only: keep @home as it is */
  keepHome: z.boolean().default(false),
});
export type StickJob = z.infer<typeof StickJob>;

/** Whatever the helper may be sent: a write job (no kind), a clone job, a repair or reset job, an update or payload job. */
export const HelperJob = z.union([CloneJob, StickJob, UpdateJob, PayloadJob, WriteJob]);
export type HelperJob = z.infer<typeof HelperJob>;
export type HelperJobInput = z.input<typeof HelperJob>;

/** The job's kind: 'write' when it has none. */
export function helperJobKind(raw: unknown): string {
  const kind = typeof raw === 'object' && raw !== null ? (raw as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' ? kind : 'write';
}
