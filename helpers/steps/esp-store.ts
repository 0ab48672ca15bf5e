// What re-plans a stick that has no @iios (a kiosk stick: its Btrfs holds only @state and @home): its profile and
// its bundle's manifest, kept on the ESP under the names @iios would give them, /iios/profiles/<id>.json and
// /iios/bundles/<name>-<version>/manifest.json. Written with mtools (vfat is not mounted here) and recorded in
// the stamp's espFiles, so verify reads them back and a clone (which copies the ESP's files) carries them on.
// The bundle's files themselves are not kept: such a stick can be cloned, not repaired from itself.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PartitionPlan } from '../../src-shared/layout/index.ts';
import type { TargetCtx } from '../context.ts';
import type { BundleSource } from '../source.ts';
import { fatCopyIn, fatMkdirs, type FatVolume } from '../tools/mtools.ts';

export const espProfilePath = (id: string): string => `/iios/profiles/${id}.json`;
export const espManifestPath = (name: string, version: string): string => `/iios/bundles/${name}-${version}/manifest.json`;

/** Whether the plan keeps no @iios subvolume, so that the profile and manifest go onto the ESP. */
export function needsEspStore(plan: PartitionPlan): boolean {
  return !plan.partitions.some((p) => p.filesystem === 'btrfs' && p.btrfs?.subvolumes.includes('@iios'));
}

/** The profile's JSON as the stick keeps it (the same text storeProfile puts into @iios/profiles/). */
export function profileText(ctx: TargetCtx): string {
  return `${JSON.stringify(ctx.profile, null, 2)}\n`;
}

/** Writes the profile and the manifest onto the target's ESP; returns their FAT paths' sha256 for the stamp. */
export async function espStore(ctx: TargetCtx, bundle: BundleSource): Promise<Record<string, string>> {
  if (!needsEspStore(ctx.plan)) return {};
  const m = bundle.manifest;
  const vol: FatVolume = { disk: ctx.disk, offset: ctx.mustPart('esp').startBytes };
  const files: [string, string][] = [
    [espProfilePath(ctx.profile.id), profileText(ctx)],
    // the manifest as it was read and checked (the bundle folder itself may have changed since)
    [espManifestPath(m.name, m.version), bundle.manifestText],
  ];
  const work = await mkdtemp(join(tmpdir(), 'iios-esp-store-'));
  try {
    await fatMkdirs(vol, files.map(([p]) => p.slice(0, p.lastIndexOf('/'))), { signal: ctx.signal });
    const sha: Record<string, string> = {};
    for (const [i, [fatPath, text]] of files.entries()) {
      const local = join(work, String(i));
      await writeFile(local, text);
      await fatCopyIn(vol, local, fatPath, { signal: ctx.signal });
      sha[fatPath] = createHash('sha256').update(text).digest('hex');
    }
    return sha;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
