// Before anything is written: the job re-validated, the source re-checked (and found readable by the user who
// started iios), and every target planned and re-checked for safety. Any refusal refuses the whole job —
// nothing is written to any target.
import { realpathSync, statSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { TargetFailure } from '../src-shared/job/target-failure.ts';
import type { WriteJob, WriteTarget } from '../src-shared/job/write-job.ts';
import { existingImageFileRule, imageFilePathRule } from '../src-shared/drives/image-file-target.ts';
import { imagePathWords } from '../src-shared/errors/rule-words.ts';
import type { PreflightProblem } from '../src-shared/job/preflight-problem.ts';
import { checkTargetSafety, type SafetyProblem } from '../src-shared/drives/safety.ts';
import { PlanError, planLayout, TooSmallError, type PartitionPlan, type PlanSource } from '../src-shared/layout/index.ts';
import { busyFacts, gatherFacts, imageFileFacts, isBlockDevice, upFrontProblems } from './check.ts';
import { busyVerdict } from '../src-shared/drives/busy.ts';
import { releaseFolder, type HeldFolder } from './image-file.ts';
import type { Emit } from './context.ts';
import { sourceReadCheck } from './source-access.ts';
import { sysBlock } from './sys-block.ts';
import { describeCaches, type CacheEntry } from './steps/caches.ts';
import { describePayload, type PayloadSource } from './steps/payload.ts';
import { closeSource, loadBundle, loadRawImage, type Source } from './source.ts';

export interface PreparedTarget {
  /**
   * The job's target as it is checked and written: a device by its kernel name (not /dev/disk/by-id/…), an image
   * file in its real folder. The validated job itself is left as it was given.
   */
  target: WriteTarget;
  plan: PartitionPlan;
  unmount: string[];
  /** Loop devices over the target to detach (after `unmount`) when the job allows unmounting; then re-checked. */
  detach: string[];
  /** An image file's folder, held open since it was checked (image-file.ts). */
  folder: HeldFolder | null;
}

export interface Prepared {
  source: Source;
  payload: PayloadSource[];
  /** Removes the helper's private copies (payload files); call when the job is over, whatever happened. */
  cleanup(): Promise<void>;
  caches: CacheEntry[];
  targets: PreparedTarget[];
  /** Device targets that vanished during the check: each fails alone, the others are written (a pulled stick in a hub of twenty). */
  gone: { target: WriteTarget; message: string }[];
}

export class RefusedError extends Error {
  constructor(
    readonly perTarget: Map<string, string>,
    message: string,
    /** Each refused target's reasons, typed (the drive rules' codes) for the reader's language. */
    readonly perTargetFailure = new Map<string, TargetFailure>(),
  ) {
    super(message);
  }
}

export async function prepare(job: WriteJob, emit: Emit, signal: AbortSignal): Promise<Prepared> {
  // mkdtemp makes the folder 0700: only root reaches the copies in it.
  let privateDir: string | null = null;
  let loaded: Source | null = null;
  const copyDir = async () => (privateDir ??= await mkdtemp(join(tmpdir(), 'iios-helper-copies-')));
  const cleanup = async () => {
    if (loaded) await closeSource(loaded);
    if (privateDir) await rm(privateDir, { recursive: true, force: true });
  };
  const held: HeldFolder[] = [];
  try {
    return { ...(await prepareJob(job, emit, signal, copyDir, (s) => (loaded = s), held)), cleanup };
  } catch (err) {
    // Refused or failed: image-file folders let go, and new images made beside old ones removed.
    for (const f of held) releaseFolder(f);
    await cleanup();
    throw err;
  }
}

async function prepareJob(
  job: WriteJob,
  emit: Emit,
  signal: AbortSignal,
  copyDir: () => Promise<string>,
  hold: (source: Source) => void,
  held: HeldFolder[],
): Promise<Omit<Prepared, 'cleanup'>> {
  for (const t of job.targets) emit({ kind: 'phase', targetId: t.id, phase: 'check' });
  const access = await sourceReadCheck(process.env);
  const source = job.bundleDir
    ? await loadBundle(job, access, signal, (done, total) => {
        for (const t of job.targets) emit({ kind: 'progress', targetId: t.id, bytesDone: done, bytesTotal: total, speedBps: 0, etaSeconds: null });
      })
    : await loadRawImage(job, access, signal);
  hold(source);
  emit({ kind: 'log', level: 'info', message: source.kind === 'bundle' ? `bundle ${source.manifest.name} ${source.manifest.version}: every file checked` : `image ${source.shownPath}: ${source.imageBytes} bytes` });
  const payload = await describePayload(job.payload, access, signal, copyDir);
  const caches = await describeCaches(job.caches, access, signal);
  const facts = await gatherFacts([...source.paths, ...payload.map((p) => p.originPath), ...caches.map((c) => c.sourcePath)]);
  const planSource: PlanSource = source.kind === 'bundle' ? source.manifest : { imageBytes: source.imageBytes };
  // each target planned for its caches: their room is kept for the caches partition before A/B slots grow
  const cacheContent = { bytes: caches.reduce((n, c) => n + c.sizeBytes, 0), files: caches.reduce((n, c) => n + c.files, 0) };

  const refusals = new Map<string, string>();
  const typed = new Map<string, TargetFailure>();
  const targets: PreparedTarget[] = [];
  const gone: Prepared['gone'] = [];
  const resolved: WriteTarget[] = [];
  for (const [index, given] of job.targets.entries()) {
    const problems: SafetyProblem[] = [];
    if (given.kind === 'device' && vanished(given.path)) {
      resolved.push(given);
      gone.push({ target: given, message: `${given.path}: the stick was removed or stopped responding during the check; nothing was written to it — plug it in and start again` });
      continue;
    }
    // /dev/disk/by-id/… names the same disk as /dev/sdX: check and write the kernel's name. An image file is
    // checked and written in its real folder (a symlinked folder cannot lead it into /etc).
    const file = given.kind === 'image-file' ? await imageFileFacts(given.path) : null;
    if (file?.folder) held.push(file.folder);
    const t = file ? { ...given, path: file.path } : { ...given, path: await realpath(given.path).catch(() => given.path) };
    resolved.push(t);
    if (resolved.slice(0, index).some((o) => o.path === t.path)) problems.push({ code: 'bad-path', message: `${given.path} is the same disk as another target` });
    if (t.kind === 'device' && !(await isBlockDevice(t.path))) problems.push({ code: 'not-found', message: `${t.path} is not a block device` });
    if (file) {
      // The given name too: its own .. or system folder is refused even when its real folder would pass.
      const named = t.path === given.path ? null : imageFilePathRule(given.path);
      if (named) problems.push({ code: 'bad-path', message: imagePathWords(named), said: { kind: 'image-path', problem: named } });
      if (!file.folderExists) {
        const folder = dirname(given.path);
        problems.push({ code: 'bad-path', message: `the folder ${folder} does not exist; create it first or choose another folder`, said: { kind: 'image-folder', problem: { reason: 'missing', folder, parent: null } } });
      }
      const there = existingImageFileRule(t.path, file.existing);
      if (there) problems.push({ code: 'bad-path', message: imagePathWords(there), said: { kind: 'image-path', problem: there } });
      if (job.sectorSize === 4096) problems.push({ code: 'bad-path', message: 'image files are written with 512-byte sectors' });
    }
    // First the size the safety rules see (devices: lsblk), then the plan for exactly that size.
    const probe = checkTargetSafety(t, 0, facts, { unmountIfMounted: job.unmountIfMounted });
    const sizeBytes = t.kind === 'device' ? probe.sizeBytes : t.sizeBytes;
    const sectorSize = t.kind === 'device' ? probe.sectorSize : 512;
    let plan: PartitionPlan | null = null;
    try {
      plan = planLayout(job.profile, planSource, sizeBytes, { sectorSize: sectorSize === 4096 ? 4096 : 512, persistence: job.persistence, ...(caches.length ? { caches: cacheContent } : {}) });
    } catch (err) {
      if (err instanceof TooSmallError) problems.push({ code: 'too-small', message: `${t.path}: ${err.message}` });
      else if (!problems.length && !probe.problems.length) {
        const said: PreflightProblem | undefined = err instanceof PlanError && err.problem ? { kind: 'plan', path: given.path, problem: err.problem } : undefined;
        problems.push({ code: 'bad-path', message: `${t.path}: ${(err as Error).message}`, ...(said ? { said } : {}) });
      }
    }
    const verdict = checkTargetSafety(t, plan?.neededBytes ?? 0, facts, { unmountIfMounted: job.unmountIfMounted });
    // Loops over a device target and the kernel's holders of it (an image file's loops: checkTargetSafety).
    const busy = t.kind === 'device' ? busyVerdict(t.path, busyFacts(t, facts.devices), { unmountIfMounted: job.unmountIfMounted }) : { problems: [], unmount: [], detach: [] };
    verdict.problems.push(...busy.problems.map((p) => ({ code: p.code, message: p.message, said: { kind: 'busy' as const, problem: p.said } })));
    // The plan's too-small and the verdict's say the same; two bad-path problems are two different things.
    for (const p of verdict.problems) if (!problems.some((q) => q.code === p.code && (p.code !== 'bad-path' || q.message === p.message))) problems.push(p);
    if (!problems.length && plan) {
      const what = { source, payloadBytes: payload.map((p) => p.sizeBytes), cacheBytes: cacheContent.bytes, cacheFiles: cacheContent.files };
      for (const message of upFrontProblems(t, plan, job.profile, file?.folder ?? null, what)) problems.push({ code: 'too-small', message });
    }
    if (problems.length || !plan) {
      refusals.set(t.id, problems.map((p) => p.message).join('; ') || 'no layout');
      typed.set(t.id, problems.length ? refusedFailure(given.path, problems) : { key: 'refused-text', text: 'no layout' });
      continue;
    }
    targets.push({ target: t, plan, unmount: [...busy.unmount, ...verdict.unmount], detach: busy.detach, folder: file?.folder ?? null });
  }
  if (refusals.size) {
    const what = [...refusals].map(([id, m]) => `${id}: ${m}`).join('; ');
    throw new RefusedError(refusals, `refused before writing anything: ${what}`, typed);
  }
  return { source, payload, caches, targets, gone };
}

/**
 * A refused target's typed failure: every reason's kind, the problems a shared rule typed, and the reasons whose
 * every problem is typed (said by those problems alone, not by the kind's general sentence too).
 */
function refusedFailure(target: string, problems: SafetyProblem[]): TargetFailure {
  const reasons = [...new Set(problems.map((p) => p.code))];
  const said = problems.flatMap((p) => (p.said ? [p.said] : []));
  if (!said.length) return { key: 'refused', target, reasons };
  const typedReasons = reasons.filter((r) => problems.every((p) => p.code !== r || p.said));
  return { key: 'refused', target, reasons, said, typedReasons };
}

/** A device the app saw that the kernel no longer has, or has with no medium (size 0): a stick pulled, a loop detached. */
function vanished(path: string): boolean {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return true;
  }
  // Something else at that path (a file, a partition) is refused by the rules below, not called removed.
  if (!statSync(real).isBlockDevice()) return false;
  return sysBlock(basename(real), 'size') === '0';
}
