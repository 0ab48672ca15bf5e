// The "profiles" domain of the contract as one service object (handlers.ts serves it over both transports).
import type { BundleInfo, LibraryBundle } from '../../../src-shared/contract/domains/profiles.ts';
import { listLibrary } from '../bundles/bundle-library.ts';
import type { z } from 'zod';
import type { PlanComputeArgs } from '../../../src-shared/contract/domains/profiles.ts';
import type { PartitionPlan } from '../../../src-shared/layout/index.ts';
import type { ImageProfile } from '../../../src-shared/profile/index.ts';
import { defaultBundleDir, loadBundle } from './bundles.ts';
import { inspectImage, type ImageInfo } from './images.ts';
import { computePlan } from './plans.ts';
import { listProfiles } from './profiles.ts';
import type { PlanSourceSaid } from '../../../src-shared/layout/plan-source.ts';

export interface ProfilesApi {
  list(): Promise<ImageProfile[]>;
  defaultBundle(): Promise<BundleInfo | null>;
  /** The bundle library, plugged-in iios sticks included. */
  library(): Promise<LibraryBundle[]>;
  inspectBundle(dir: string, verify: boolean): Promise<BundleInfo>;
  inspectImage(path: string): Promise<ImageInfo>;
  computePlan(args: z.output<typeof PlanComputeArgs>): Promise<{ plan: PartitionPlan; source: string; sourceSaid: PlanSourceSaid }>;
}

async function bundleInfo(dir: string, verify: boolean): Promise<BundleInfo> {
  const b = await loadBundle(dir, { verify });
  return { dir: b.dir, manifest: b.manifest, totalBytes: b.totalBytes, verified: b.verified };
}

export function createProfilesApi(): ProfilesApi {
  return {
    list: () => listProfiles(),
    async defaultBundle() {
      const dir = defaultBundleDir();
      return dir ? bundleInfo(dir, false) : null;
    },
    library: () => listLibrary(),
    inspectBundle: (dir, verify) => bundleInfo(dir, verify),
    inspectImage: (path) => inspectImage(path),
    async computePlan(args) {
      const { plan, source, sourceSaid } = await computePlan(args);
      return { plan, source, sourceSaid };
    },
  };
}
