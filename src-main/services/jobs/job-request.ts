// Turns what a user asked for (profile id, bundle or image, targets, a name pattern, payload files) into a
// WriteJob, refusing before anything starts what can be refused here: an unknown profile, a bundle whose files
// do not match their sha256, a target too small for the plan, a bad name pattern, a missing payload file.
import { cacheSetRefs } from '../caches/cache-set-refs.ts';
import { filesUnder } from '../caches/folder-bytes.ts';
import { cacheFit, cacheFitMessage, type CacheContent } from '../../../src-shared/caches/cache-fit.ts';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { WriteRequestSchema, type WriteRequest } from '../../../src-shared/contract/domains/jobs.ts';
import { zodFieldIssues, type ErrorDetails } from '../../../src-shared/contract/error-details.ts';
import { imageFilePathRule } from '../../../src-shared/drives/image-file-target.ts';
import type { ImageFolderProblem, ImagePathProblem } from '../../../src-shared/drives/rule-problems.ts';
import { imageFolderWords, imagePathWords } from '../../../src-shared/errors/rule-words.ts';
import { getLocale } from '../../../src-shared/i18n/index.ts';
import { checkImageFolder } from '../drives/image-folder.ts';
import { wrongFileKind } from '../../../src-shared/format/file-kind.ts';
import { expandNames } from '../../../src-shared/job/names.ts';
import type { WriteJobInput, WriteTarget } from '../../../src-shared/job/write-job.ts';
import { planLayout, PlanError, TooSmallError, type PlanSource } from '../../../src-shared/layout/index.ts';
import type { PartitionPlan } from '../../../src-shared/layout/plan-types.ts';
import type { BundleManifest, ImageProfile } from '../../../src-shared/profile/index.ts';

/** What the request needs from the profile, bundle, image and device services (parameters, so it tests in plain Node). */
export interface JobRequestDeps {
  loadProfile(id: string): Promise<ImageProfile>;
  /** Loads a bundle directory and checks every file's sha256; throws with a clear message otherwise. */
  loadBundle(dir: string): Promise<BundleManifest>;
  /** The uncompressed size of a raw disk image; throws (saying why) when it cannot be told without decompressing. */
  imageBytes(path: string): Promise<number>;
  /** The size of a block device in bytes. */
  deviceBytes(path: string): Promise<number>;
}

/** A request refused before anything started (its message says why, for the user; its details say it as data). */
export class RequestError extends Error {
  readonly code = 'E_REQUEST';
  constructor(
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
  }
}

const fieldError = (path: string, message: string) => new RequestError(message, { kind: 'invalid', issues: [{ path, message }] });
const targetError = (target: string, message: string) => new RequestError(message, { kind: 'unsafe-target', target, reason: 'bad-path' });
/** An image-file rule's refusal: its words for the log, its reason typed for the reader's language. */
const pathError = (target: string, p: ImagePathProblem) => new RequestError(imagePathWords(p), { kind: 'unsafe-target', target, reason: 'bad-path', pathProblem: p });
const folderError = (target: string, p: ImageFolderProblem) => new RequestError(imageFolderWords(p), { kind: 'unsafe-target', target, reason: 'bad-path', folderProblem: p });

export interface PreparedJob {
  job: WriteJobInput;
  plans: { targetId: string; path: string; kind: WriteTarget['kind']; sizeBytes: number; hostname: string; exists: boolean; plan: PartitionPlan }[];
}

export async function describeTarget(path: string, index: number, sizeBytes: number | undefined, deps: Pick<JobRequestDeps, 'deviceBytes'>) {
  const st = await stat(path).catch(() => null);
  if (st?.isBlockDevice()) {
    if (sizeBytes !== undefined) throw fieldError(`targets[${index}].sizeBytes`, `${path} is a block device; --size is only for new image files`);
    return { kind: 'device' as const, sizeBytes: await deps.deviceBytes(path), exists: true };
  }
  const wrong = st && wrongFileKind(path, st, ['file'], 'a block device or an image file');
  if (wrong) throw targetError(path, wrong);
  // The helper refuses the same (and more: a symlinked folder, an existing file that is no disk image); saying
  // it here spares the user a password prompt for a job that would be refused.
  const named = imageFilePathRule(path);
  if (named) throw pathError(path, named);
  const size = sizeBytes ?? st?.size;
  if (!size) throw fieldError(`targets[${index}].sizeBytes`, `${path} does not exist yet: give its size (--size 8G) to create an image file`);
  return { kind: 'image-file' as const, sizeBytes: size, exists: !!st };
}

/** Checks a request against the contract's schema (whoever built it: the wizard, the CLI, a script on the bridge). */
export function parseWriteRequest(input: unknown): WriteRequest {
  const parsed = WriteRequestSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = zodFieldIssues(parsed.error);
  throw new RequestError(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), { kind: 'invalid', issues });
}

/** A source file the job reads: "not found" only when it is not there, else what it is when no regular file. */
async function mustBeFile(path: string, what: string, field: string): Promise<void> {
  const st = await stat(path).catch(() => null);
  if (!st) throw fieldError(field, `${what} not found`);
  const wrong = wrongFileKind(what, st);
  if (wrong) throw fieldError(field, wrong);
}

export function targetId(index: number, path: string): string {
  const base = basename(path).replace(/[^A-Za-z0-9._-]/g, '-');
  return `t${index + 1}-${base}`.slice(0, 60);
}

async function cacheContent(caches: { path: string }[]): Promise<CacheContent> {
  const content = { bytes: 0, files: 0 };
  for (const c of caches) {
    const files = await filesUnder(c.path);
    content.files += files.size;
    for (const size of files.values()) content.bytes += size;
  }
  return content;
}

export async function prepareWriteJob(input: WriteRequest, deps: JobRequestDeps): Promise<PreparedJob> {
  const req = parseWriteRequest(input);
  const paths = req.targets.map((t) => resolve(t.path));
  const dup = paths.findIndex((p, i) => paths.indexOf(p) !== i);
  if (dup >= 0) throw fieldError(`targets[${dup}].path`, `${paths[dup]} is named twice as a target`);

  const profile = await deps.loadProfile(req.profileId);
  const manifest = req.bundleDir ? await deps.loadBundle(resolve(req.bundleDir)) : null;
  const imagePath = req.imagePath ? resolve(req.imagePath) : null;
  if (imagePath) await mustBeFile(imagePath, `image ${imagePath}`, 'imagePath');
  let planSource: PlanSource;
  try {
    planSource = manifest ?? { imageBytes: await deps.imageBytes(imagePath!) };
  } catch (err) {
    throw fieldError('imagePath', (err as Error).message);
  }

  const pattern = req.namePattern ?? (req.targets.length > 1 ? 'iios-{nn}' : 'iios');
  let names: string[];
  try {
    names = expandNames(pattern, req.targets.length, req.firstNumber ?? 1);
  } catch (err) {
    throw fieldError('namePattern', (err as Error).message);
  }

  const payload: { sourcePath: string; name: string }[] = [];
  for (const [i, file] of (req.payload ?? []).entries()) {
    const abs = resolve(file);
    await mustBeFile(abs, `payload file ${abs}`, `payload[${i}]`);
    const name = basename(abs);
    if (payload.some((p) => p.name === name)) throw fieldError(`payload[${i}]`, `two payload files are named ${name}`);
    payload.push({ sourcePath: abs, name });
  }

  let caches = req.caches ?? [];
  if (req.cacheSet) {
    try {
      caches = [...caches, ...(await cacheSetRefs(req.cacheSet))];
    } catch (err) {
      throw fieldError('cacheSet', (err as Error).message);
    }
    const twice = caches.find((c, i) => caches.findIndex((o) => o.kind === c.kind) !== i);
    if (twice) throw fieldError('cacheSet', `two caches of kind ${twice.kind}: give it either with --cache or in the cache set`);
  }
  // What the caches hold: each target is planned for them as the helper plans it (their room kept before A/B slots
  // grow), and a set's caches must fit every target's caches partition: refused here, not by a full disk mid-write.
  const content = caches.length ? await cacheContent(caches) : null;

  const plans: PreparedJob['plans'] = [];
  for (const [i, t] of req.targets.entries()) {
    const path = paths[i]!;
    const d = await describeTarget(path, i, t.sizeBytes, deps);
    if (d.kind === 'image-file') {
      // Its folder as the user sees it (there, a folder, theirs to write in, room for the least this job writes):
      // refused here, before `iios write` asks to confirm and before anything asks for a password.
      const writeBytes = manifest ? manifest.rootfs.sizeBytes : 'imageBytes' in planSource ? planSource.imageBytes : 0;
      const folder = await checkImageFolder({ path, sizeBytes: d.sizeBytes, writeBytes });
      if (folder.said) throw folderError(path, folder.said);
    }
    let plan: PartitionPlan;
    try {
      plan = planLayout(profile, planSource, d.sizeBytes, { persistence: req.persistence, ...(content ? { caches: content } : {}) });
    } catch (err) {
      const details: ErrorDetails | undefined =
        err instanceof TooSmallError ? { ...err.details, target: path } : err instanceof PlanError && err.problem ? { kind: 'plan', problem: err.problem, target: path } : undefined;
      throw new RequestError(`${path}: ${(err as Error).message}`, details);
    }
    plans.push({ targetId: targetId(i, path), path, kind: d.kind, sizeBytes: d.sizeBytes, hostname: names[i]!, exists: d.exists, plan });
  }

  if (content && req.cacheSet) {
    for (const p of plans) {
      const fit = cacheFit(p.plan, content);
      const message = cacheFitMessage(p.path, p.sizeBytes, fit, profile.id, content.bytes);
      if (!message) continue;
      if (fit.kind === 'too-small') throw new RequestError(message, { kind: 'too-small', profileId: profile.id, targetBytes: p.sizeBytes, neededBytes: fit.neededBytes, target: p.path });
      throw fieldError('cacheSet', message);
    }
  }

  const job: WriteJobInput = {
    jobId: `job-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`,
    profile,
    ...(req.bundleDir ? { bundleDir: resolve(req.bundleDir), manifest } : { imagePath: imagePath! }),
    targets: plans.map((p) => ({ id: p.targetId, kind: p.kind, path: p.path, sizeBytes: p.sizeBytes, hostname: p.hostname })),
    payload,
    caches,
    unmountIfMounted: req.unmountIfMounted ?? false,
    verify: req.verify ?? true,
    capacityCheck: req.capacityCheck ?? false,
    locale: getLocale(),
    ...(req.persistence !== undefined ? { persistence: req.persistence } : {}),
  };
  return { job, plans };
}
