// Turns a clone request (the wizard's, or a script's on the bridge) into the helper's CloneJob: each target
// sized (a device its own size; an image file the size asked for, else the source's), named from the pattern,
// with the same target checks a write gets before any password prompt. The helper plans each target from the
// profile the source stick carries and refuses, before writing, a target its content does not fit.
import { stat } from 'node:fs/promises';
import { zodFieldIssues } from '../../../src-shared/contract/index.ts';
import { CloneRequestSchema, type CloneRequest } from '../../../src-shared/contract/domains/jobs.ts';
import { CloneJob, type CloneJobInput } from '../../../src-shared/job/clone-job.ts';
import { expandNames } from '../../../src-shared/job/names.ts';
import { describeTarget, RequestError, targetId, type JobRequestDeps } from './job-request.ts';

export async function prepareCloneJob(input: CloneRequest, deps: Pick<JobRequestDeps, 'deviceBytes'>): Promise<CloneJobInput> {
  const parsed = CloneRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issues = zodFieldIssues(parsed.error);
    throw new RequestError(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), { kind: 'invalid', issues });
  }
  const req = parsed.data;
  const source = await stat(req.sourcePath).catch(() => null);
  if (!source || !(source.isBlockDevice() || source.isFile())) {
    throw new RequestError(`the source ${req.sourcePath} is ${source ? 'neither a stick nor an image file' : 'not there (unplugged?)'}: choose it again`);
  }
  const sourceBytes = source.isBlockDevice() ? await deps.deviceBytes(req.sourcePath) : source.size;
  let names: string[];
  try {
    names = expandNames(req.namePattern ?? (req.targets.length > 1 ? 'iios-{nn}' : 'iios'), req.targets.length, req.firstNumber ?? 1);
  } catch (err) {
    throw new RequestError((err as Error).message, { kind: 'invalid', issues: [{ path: 'namePattern', message: (err as Error).message }] });
  }
  const targets = [];
  for (const [i, t] of req.targets.entries()) {
    if (t.path === req.sourcePath) throw new RequestError(`${t.path} is the clone's source; it is never written: untick it`);
    const exists = await stat(t.path).catch(() => null);
    // A new image file with no size asked for gets the source's size, as `iios clone` gives it.
    const d = await describeTarget(t.path, i, t.sizeBytes ?? (exists ? undefined : sourceBytes), deps);
    targets.push({ id: targetId(i, t.path), kind: d.kind, path: t.path, sizeBytes: d.sizeBytes, hostname: names[i]! });
  }
  const job: CloneJobInput = {
    kind: 'clone',
    jobId: `clone-${Date.now().toString(36)}`,
    sourcePath: req.sourcePath,
    targets,
    fresh: req.fresh ?? false,
    verify: req.verify ?? true,
    unmountIfMounted: req.unmountIfMounted ?? false,
    capacityCheck: req.capacityCheck ?? false,
  };
  const checked = CloneJob.safeParse(job);
  // the issues typed too: the GUI says each rule (a target named twice, the source as a target) in its language
  if (!checked.success) throw new RequestError(`refused before writing anything: ${checked.error.issues.map((i) => i.message).join('; ')}`, { kind: 'invalid', issues: zodFieldIssues(checked.error) });
  return job;
}
