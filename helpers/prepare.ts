// Before anything is written: the job re-validated, the source re-checked, and every target planned and
// re-checked for safety. Any refusal refuses the whole job — nothing is written to any target.
import { realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { WriteJob } from '../src-shared/job/write-job.ts';
import { checkTargetSafety, type SafetyProblem } from '../src-shared/drives/safety.ts';
import { planLayout, TooSmallError, type PartitionPlan, type PlanSource } from '../src-shared/layout/index.ts';
import { gatherFacts, isBlockDevice } from './check.ts';
import type { Emit } from './context.ts';
import { describeCaches, type CacheEntry } from './steps/caches.ts';
import { describePayload, type PayloadEntry } from './steps/payload.ts';
import { loadBundle, loadRawImage, type Source } from './source.ts';

export interface PreparedTarget {
  index: number;
  plan: PartitionPlan;
  unmount: string[];
}

export interface Prepared {
  source: Source;
  payload: (PayloadEntry & { sourcePath: string })[];
  caches: CacheEntry[];
  targets: PreparedTarget[];
}

export class RefusedError extends Error {
  constructor(readonly perTarget: Map<string, string>, message: string) {
    super(message);
  }
}

export async function prepare(job: WriteJob, emit: Emit, signal: AbortSignal): Promise<Prepared> {
  for (const t of job.targets) emit({ kind: 'phase', targetId: t.id, phase: 'check' });
  const source = job.bundleDir
    ? await loadBundle(job, signal, (done, total) => {
        for (const t of job.targets) emit({ kind: 'progress', targetId: t.id, bytesDone: done, bytesTotal: total, speedBps: 0, etaSeconds: null });
      })
    : await loadRawImage(job, signal);
  emit({ kind: 'log', level: 'info', message: source.kind === 'bundle' ? `bundle ${source.manifest.name} ${source.manifest.version}: every file checked` : `image ${source.path}: ${source.imageBytes} bytes` });
  const payload = await describePayload(job.payload, signal);
  const caches = await describeCaches(job.caches, signal);
  const facts = await gatherFacts([...source.paths, ...payload.map((p) => p.sourcePath), ...caches.map((c) => c.sourcePath)]);
  const planSource: PlanSource = source.kind === 'bundle' ? source.manifest : { imageBytes: source.imageBytes };

  const refusals = new Map<string, string>();
  const targets: PreparedTarget[] = [];
  for (const [index, given] of job.targets.entries()) {
    const problems: SafetyProblem[] = [];
    // /dev/disk/by-id/… names the same disk as /dev/sdX: check and write the kernel's name.
    const t = given.kind === 'device' ? { ...given, path: await realpath(given.path).catch(() => given.path) } : given;
    job.targets[index] = t;
    if (job.targets.slice(0, index).some((o) => o.path === t.path)) problems.push({ code: 'bad-path', message: `${given.path} is the same disk as another target` });
    const block = await isBlockDevice(t.path);
    if (t.kind === 'device' && !block) problems.push({ code: 'not-found', message: `${t.path} is not a block device` });
    if (t.kind === 'image-file') {
      if (block) problems.push({ code: 'bad-path', message: `${t.path} is a block device, not an image file` });
      const st = await stat(t.path).catch(() => null);
      if (st && !st.isFile()) problems.push({ code: 'bad-path', message: `${t.path} exists and is not a regular file` });
      if (!(await stat(dirname(t.path)).catch(() => null))?.isDirectory()) problems.push({ code: 'bad-path', message: `the folder ${dirname(t.path)} does not exist` });
      if (job.sectorSize === 4096) problems.push({ code: 'bad-path', message: 'image files are written with 512-byte sectors' });
    }
    // First the size the safety rules see (devices: lsblk), then the plan for exactly that size.
    const probe = checkTargetSafety(t, 0, facts, { unmountIfMounted: job.unmountIfMounted });
    const sizeBytes = t.kind === 'device' ? probe.sizeBytes : t.sizeBytes;
    const sectorSize = t.kind === 'device' ? probe.sectorSize : 512;
    let plan: PartitionPlan | null = null;
    try {
      plan = planLayout(job.profile, planSource, sizeBytes, { sectorSize: sectorSize === 4096 ? 4096 : 512, persistence: job.persistence });
    } catch (err) {
      if (err instanceof TooSmallError) problems.push({ code: 'too-small', message: `${t.path}: ${err.message}` });
      else if (!problems.length && !probe.problems.length) problems.push({ code: 'bad-path', message: `${t.path}: ${(err as Error).message}` });
    }
    const verdict = checkTargetSafety(t, plan?.neededBytes ?? 0, facts, { unmountIfMounted: job.unmountIfMounted });
    for (const p of verdict.problems) if (!problems.some((q) => q.code === p.code)) problems.push(p);
    if (problems.length || !plan) {
      refusals.set(t.id, problems.map((p) => p.message).join('; ') || 'no layout');
      continue;
    }
    targets.push({ index, plan, unmount: verdict.unmount });
  }
  if (refusals.size) {
    const what = [...refusals].map(([id, m]) => `${id}: ${m}`).join('; ');
    throw new RefusedError(refusals, `refused before writing anything: ${what}`);
  }
  return { source, payload, caches, targets };
}
