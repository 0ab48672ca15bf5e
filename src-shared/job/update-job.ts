// The update and payload jobs (design.md, "Updates"): a new bundle into the inactive A/B slot of one or more
// sticks, or new files onto a kiosk stick's payload partition. The helper accepts them beside the write, clone
// and stick jobs and reports the same JobEvents, one target per stick.
import * as z from 'zod';
import { PayloadFile, WriteTarget } from './write-job.ts';
import { ruleParams } from '../contract/field-issue.ts';

const plainId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
const StickTarget = WriteTarget.omit({ hostname: true });

function distinctTargets(targets: { id: string; path: string }[], ctx: z.RefinementCtx, also: string[] = []): void {
  const ids = new Set<string>();
  const paths = new Set<string>(also);
  targets.forEach((t, i) => {
    if (ids.has(t.id)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'id'], message: `duplicate target id ${t.id}`, ...ruleParams('duplicate-id', { id: t.id }) });
    if (paths.has(t.path)) {
      const source = also.includes(t.path);
      const message = source ? `${t.path} is the source; it is never written` : `duplicate target ${t.path}`;
      ctx.addIssue({ code: 'custom', path: ['targets', i, 'path'], message, ...ruleParams(source ? 'target-is-source' : 'duplicate-target', { target: t.path }) });
    }
    ids.add(t.id);
    paths.add(t.path);
  });
}

export const UpdateSource = z.discriminatedUnion('kind', [
  /** a bundle directory on the computer */
  z.object({ kind: z.literal('bundle'), dir: z.string().startsWith('/') }),
  /** the newest bundle another iios stick carries in @iios/bundles/ (opened read-only, never written) */
  z.object({ kind: z.literal('stick'), path: z.string().startsWith('/') }),
]);
export type UpdateSource = z.infer<typeof UpdateSource>;

export const UpdateJob = z
  .object({
    kind: z.literal('update'),
    jobId: plainId,
    source: UpdateSource,
    targets: z.array(StickTarget).min(1).max(64),
  })
  .superRefine((job, ctx) => distinctTargets(job.targets, ctx, job.source.kind === 'stick' ? [job.source.path] : []));
export type UpdateJob = z.infer<typeof UpdateJob>;

export const PayloadJob = z.object({
  kind: z.literal('payload'),
  jobId: plainId,
  /** the files that replace the payload partition's whole content */
  files: z.array(PayloadFile).min(1).max(1000),
  target: StickTarget,
});
export type PayloadJob = z.infer<typeof PayloadJob>;
