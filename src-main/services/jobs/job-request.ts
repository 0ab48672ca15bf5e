// Turns what a user asked for (profile id, bundle or image, targets, a name pattern, payload files) into a
// WriteJob, refusing before anything starts what can be refused here: an unknown profile, a bundle whose files
// do not match their sha256, a target too small for the plan, a bad name pattern, a missing payload file.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { imageFilePathProblem } from '../../../src-shared/drives/image-file-target.ts';
import { wrongFileKind } from '../../../src-shared/format/file-kind.ts';
import { expandNames } from '../../../src-shared/job/names.ts';
import type { WriteJobInput } from '../../../src-shared/job/write-job.ts';
import type { PartitionPlan } from '../../../src-shared/layout/plan-types.ts';
import type { BundleManifest, ImageProfile } from '../../../src-shared/profile/index.ts';

export interface WriteRequest {
  profileId: string;
  bundleDir?: string;
  imagePath?: string;
  /** Block devices, or image files (created at sizeBytes when they do not exist or when sizeBytes is given). */
  targets: { path: string; sizeBytes?: number }[];
  /** `class-{nn}` → class-01, class-02 …; default `iios` for one target, `iios-{nn}` for several. */
  namePattern?: string;
  firstNumber?: number;
  payload?: string[];
  caches?: { kind: string; path: string }[];
  unmountIfMounted?: boolean;
  verify?: boolean;
  /** Raw profile: add the persistence partition after the image. */
  persistence?: boolean;
}

/** What the request needs from the profile, bundle and planner services (parameters, so it tests in plain Node). */
export interface JobRequestDeps {
  loadProfile(id: string): Promise<ImageProfile>;
  /** Loads a bundle directory and checks every file's sha256; throws with a clear message otherwise. */
  loadBundle(dir: string): Promise<BundleManifest>;
  /** The partition plan for one target size; throws (with the needed size) when the target is too small. */
  plan(
    profile: ImageProfile,
    source: { manifest: BundleManifest | null; imagePath: string | null; persistence?: boolean },
    targetBytes: number,
  ): Promise<PartitionPlan> | PartitionPlan;
}

/** A request refused before anything started (its message says why, for the user). */
export class RequestError extends Error {
  readonly code = 'E_REQUEST';
}

export interface PreparedJob {
  job: WriteJobInput;
  plans: { targetId: string; path: string; kind: 'device' | 'image-file'; sizeBytes: number; hostname: string; exists: boolean; plan: PartitionPlan }[];
}

async function describeTarget(path: string, sizeBytes: number | undefined) {
  const st = await stat(path).catch(() => null);
  if (st?.isBlockDevice()) {
    if (sizeBytes !== undefined) throw new RequestError(`${path} is a block device; --size is only for new image files`);
    const { targetSize } = await import('../stick/stick-reader.ts');
    return { kind: 'device' as const, sizeBytes: (await targetSize(path)).sizeBytes, exists: true };
  }
  const wrong = st && wrongFileKind(path, st, ['file'], 'a block device or an image file');
  if (wrong) throw new RequestError(wrong);
  // The helper refuses the same (and more: a symlinked folder, an existing file that is no disk image); saying
  // it here spares the user a password prompt for a job that would be refused.
  const named = imageFilePathProblem(path);
  if (named) throw new RequestError(named);
  const size = sizeBytes ?? st?.size;
  if (!size) throw new RequestError(`${path} does not exist yet: give its size (--size 8G) to create an image file`);
  return { kind: 'image-file' as const, sizeBytes: size, exists: !!st };
}

/** A source file the job reads: "not found" only when it is not there, else what it is when no regular file. */
async function mustBeFile(path: string, what: string): Promise<void> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new RequestError(`${what} not found`);
  const wrong = wrongFileKind(what, st);
  if (wrong) throw new RequestError(wrong);
}

function targetId(index: number, path: string): string {
  const base = basename(path).replace(/[^A-Za-z0-9._-]/g, '-');
  return `t${index + 1}-${base}`.slice(0, 60);
}

export async function prepareWriteJob(req: WriteRequest, deps: JobRequestDeps): Promise<PreparedJob> {
  if (!req.targets.length) throw new RequestError('no target: give at least one --target');
  if (!!req.bundleDir === !!req.imagePath) throw new RequestError('give either a bundle (--bundle DIR) or a disk image (--image FILE)');
  const paths = req.targets.map((t) => resolve(t.path));
  const dup = paths.find((p, i) => paths.indexOf(p) !== i);
  if (dup) throw new RequestError(`${dup} is named twice as a target`);

  const profile = await deps.loadProfile(req.profileId);
  const manifest = req.bundleDir ? await deps.loadBundle(resolve(req.bundleDir)) : null;
  const imagePath = req.imagePath ? resolve(req.imagePath) : null;
  if (imagePath) await mustBeFile(imagePath, `image ${imagePath}`);

  const pattern = req.namePattern ?? (req.targets.length > 1 ? 'iios-{nn}' : 'iios');
  let names: string[];
  try {
    names = expandNames(pattern, req.targets.length, req.firstNumber ?? 1);
  } catch (err) {
    throw new RequestError((err as Error).message);
  }

  const payload: { sourcePath: string; name: string }[] = [];
  for (const file of req.payload ?? []) {
    const abs = resolve(file);
    await mustBeFile(abs, `payload file ${abs}`);
    const name = basename(abs);
    if (payload.some((p) => p.name === name)) throw new RequestError(`two payload files are named ${name}`);
    payload.push({ sourcePath: abs, name });
  }

  const plans: PreparedJob['plans'] = [];
  for (const [i, t] of req.targets.entries()) {
    const path = paths[i]!;
    const d = await describeTarget(path, t.sizeBytes);
    let plan: PartitionPlan;
    try {
      plan = await deps.plan(profile, { manifest, imagePath, persistence: req.persistence }, d.sizeBytes);
    } catch (err) {
      throw new RequestError(`${path}: ${(err as Error).message}`);
    }
    plans.push({ targetId: targetId(i, path), path, kind: d.kind, sizeBytes: d.sizeBytes, hostname: names[i]!, exists: d.exists, plan });
  }

  const job: WriteJobInput = {
    jobId: `job-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`,
    profile,
    ...(req.bundleDir ? { bundleDir: resolve(req.bundleDir), manifest } : { imagePath: imagePath! }),
    targets: plans.map((p) => ({ id: p.targetId, kind: p.kind, path: p.path, sizeBytes: p.sizeBytes, hostname: p.hostname })),
    payload,
    caches: req.caches ?? [],
    unmountIfMounted: req.unmountIfMounted ?? false,
    verify: req.verify ?? true,
    ...(req.persistence !== undefined ? { persistence: req.persistence } : {}),
  };
  return { job, plans };
}
