// Computing a plan from what a user names: a profile (id or file), a bundle directory, a raw image, or a
// nominal root image size; shared by `iios plan` and the `plan.compute` channel.
import type { z } from 'zod';
import type { PlanComputeArgs } from '../../../src-shared/contract/domains/profiles.ts';
import { planLayout, verityHashBytes, type PartitionPlan, type PlanSource } from '../../../src-shared/layout/index.ts';
import type { ImageProfile } from '../../../src-shared/profile/index.ts';
import type { PlanSourceSaid } from '../../../src-shared/layout/plan-source.ts';
import type { ErrorDetailsOf } from '../../../src-shared/contract/error-details.ts';
import { translate } from '../../../src-shared/i18n/index.ts';
import { defaultBundleDir, readBundleManifest } from './bundles.ts';
import { inspectImage } from './images.ts';
import { loadProfile } from './profiles.ts';

/**
 * What `iios plan` and the plan.compute channel ask for: the contract's plan.compute arguments (the CLI may give
 * relative paths, resolved here).
 */
export type PlanRequest = z.output<typeof PlanComputeArgs>;

export interface PlanResult {
  profile: ImageProfile;
  /** what the plan was computed for, in English words ("bundle /x (iios-demo 2026.11.1)"), for logs and older readers */
  source: string;
  /** the same typed, for the reader's language (src-shared/format/plan-source-words.ts) */
  sourceSaid: PlanSourceSaid;
  plan: PartitionPlan;
}

/** A request that cannot be planned for lack of input (not a too-small target); its reason typed, worded in English. */
export class PlanInputError extends Error {
  override name = 'PlanInputError';
  readonly code = 'E_PLAN_INPUT';
  constructor(readonly details: ErrorDetailsOf<'plan-input'>) {
    super(
      details.reason === 'size-unknown'
        ? translate('en', 'planInput.size-unknown', { path: details.path ?? '?', compression: details.compression ?? '?' })
        : translate('en', `planInput.${details.reason}`),
    );
  }
}

async function resolveSource(profile: ImageProfile, req: PlanRequest): Promise<{ source: PlanSource; text: string; said: PlanSourceSaid }> {
  if (profile.mode === 'raw') {
    if (req.imageBytes !== undefined) return { source: { imageBytes: req.imageBytes }, text: `image of ${req.imageBytes} bytes`, said: { kind: 'image-bytes', bytes: req.imageBytes } };
    if (!req.imagePath) throw new PlanInputError({ kind: 'plan-input', reason: 'raw-needs-image' });
    const info = await inspectImage(req.imagePath);
    if (info.uncompressedBytes === null) {
      throw new PlanInputError({ kind: 'plan-input', reason: 'size-unknown', path: req.imagePath, compression: String(info.compression) });
    }
    return {
      source: { imageBytes: info.uncompressedBytes },
      text: `image ${req.imagePath} (${info.uncompressedBytes} bytes uncompressed)`,
      said: { kind: 'image', path: req.imagePath, bytes: info.uncompressedBytes },
    };
  }
  if (req.bundleDir) {
    const m = await readBundleManifest(req.bundleDir);
    return { source: m, text: `bundle ${req.bundleDir} (${m.name} ${m.version})`, said: { kind: 'bundle', dir: req.bundleDir, name: m.name, version: m.version } };
  }
  if (req.rootfsSizeBytes !== undefined) {
    const rootfsBytes = req.rootfsSizeBytes;
    return {
      source: { rootfsKind: 'squashfs', rootfsBytes, verityBytes: verityHashBytes(rootfsBytes) },
      text: `nominal squashfs root of ${rootfsBytes} bytes`,
      said: { kind: 'nominal', bytes: rootfsBytes },
    };
  }
  const demo = defaultBundleDir();
  if (demo) {
    const m = await readBundleManifest(demo);
    return { source: m, text: `demo bundle ${demo} (${m.name} ${m.version})`, said: { kind: 'demo', dir: demo, name: m.name, version: m.version } };
  }
  throw new PlanInputError({ kind: 'plan-input', reason: 'no-bundle' });
}

export async function computePlan(req: PlanRequest): Promise<PlanResult> {
  const profile = await loadProfile(req.profile);
  const { source, text, said } = await resolveSource(profile, req);
  const plan = planLayout(profile, source, req.targetBytes, {
    sectorSize: req.sectorSize ?? 512,
    ...(req.persistence !== undefined ? { persistence: req.persistence } : {}),
    ...(req.caches ? { caches: req.caches } : {}),
    ...(req.seed !== undefined ? { seed: req.seed } : {}),
  });
  return { profile, source: text, sourceSaid: said, plan };
}

/** The `--json` / GUI summary of a plan (issue 3): exactly these keys. */
export function planSummary(plan: PartitionPlan) {
  return {
    diskBytes: plan.diskBytes,
    sectorSize: plan.sectorSize,
    partitions: plan.partitions.map((p) => ({
      name: p.name,
      typeGuid: p.typeGuid,
      startBytes: p.startBytes,
      sizeBytes: p.sizeBytes,
      readOnly: p.readOnly,
    })),
  };
}
