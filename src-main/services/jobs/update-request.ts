// Turns an update or payload request (the wizard's, `iios update`'s and `iios payload`'s, or a script's on the
// bridge) into the helper's UpdateJob or PayloadJob: each stick described (a device or an image file saved from
// a stick, its own size), the source checked to exist. The helper then reads each stick's slots and refuses,
// before writing, a system or payload that does not fit.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { zodFieldIssues } from '../../../src-shared/contract/index.ts';
import { PayloadRequestSchema, UpdateRequestSchema, type PayloadRequest, type UpdateRequest } from '../../../src-shared/contract/domains/jobs.ts';
import { PayloadJob, UpdateJob } from '../../../src-shared/job/update-job.ts';
import { RequestError, targetId, type JobRequestDeps } from './job-request.ts';

function invalid(error: import('zod').ZodError): RequestError {
  const issues = zodFieldIssues(error);
  return new RequestError(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), { kind: 'invalid', issues });
}

/** A stick to change in place: it must be there already (a device, or an image file saved from a stick). */
async function stickTarget(path: string, index: number, deps: Pick<JobRequestDeps, 'deviceBytes'>) {
  const st = await stat(path).catch(() => null);
  if (!st || !(st.isBlockDevice() || st.isFile())) {
    throw new RequestError(`${path} is ${st ? 'neither a stick nor an image file' : 'not there (unplugged?)'}: choose it again`);
  }
  const kind = st.isBlockDevice() ? ('device' as const) : ('image-file' as const);
  return { id: targetId(index, path), kind, path, sizeBytes: Math.max(1, kind === 'device' ? await deps.deviceBytes(path) : st.size) };
}

export async function prepareUpdateJob(input: UpdateRequest, deps: Pick<JobRequestDeps, 'deviceBytes'>): Promise<UpdateJob> {
  const parsed = UpdateRequestSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  const req = parsed.data;
  if (req.source.kind === 'stick' && !(await stat(req.source.path).catch(() => null))) throw new RequestError(`the source stick ${req.source.path} is not there (unplugged?)`);
  if (req.source.kind === 'bundle' && !(await stat(req.source.dir).catch(() => null))?.isDirectory()) throw new RequestError(`the bundle folder ${req.source.dir} is not there`);
  const targets = [];
  for (const [i, t] of req.targets.entries()) targets.push(await stickTarget(t.path, i, deps));
  const job = { kind: 'update' as const, jobId: `update-${Date.now().toString(36)}`, source: req.source.kind === 'bundle' ? { kind: 'bundle' as const, dir: req.source.dir } : { kind: 'stick' as const, path: req.source.path }, targets };
  const checked = UpdateJob.safeParse(job);
  if (!checked.success) throw new RequestError(`refused before writing anything: ${checked.error.issues.map((i) => i.message).join('; ')}`, { kind: 'invalid', issues: zodFieldIssues(checked.error) });
  return checked.data;
}

export async function preparePayloadJob(input: PayloadRequest, deps: Pick<JobRequestDeps, 'deviceBytes'>): Promise<PayloadJob> {
  const parsed = PayloadRequestSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  const req = parsed.data;
  const names = new Set<string>();
  for (const f of req.files) {
    if (names.has(basename(f))) throw new RequestError(`two payload files are named ${basename(f)}; the payload partition keeps one name once`);
    names.add(basename(f));
    if (!(await stat(f).catch(() => null))?.isFile()) throw new RequestError(`the payload file ${f} is not there`);
  }
  const job = { kind: 'payload' as const, jobId: `payload-${Date.now().toString(36)}`, target: await stickTarget(req.target.path, 0, deps), files: req.files.map((f) => ({ sourcePath: f, name: basename(f) })) };
  const checked = PayloadJob.safeParse(job);
  if (!checked.success) throw new RequestError(`refused before writing anything: ${checked.error.issues.map((i) => i.message).join('; ')}`, { kind: 'invalid', issues: zodFieldIssues(checked.error) });
  return checked.data;
}
