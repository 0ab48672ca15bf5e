// In-memory services behind the fake window.iios: real profiles (resources/profiles/*.yaml parsed by the
// shared schema), a real bundle manifest, the real planner (planLayout), drives and a job table held in memory.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { ImageInfoSchema, LibraryBundle } from '../../../../src-shared/contract/domains/profiles.ts';
import type { Handlers } from '../../../../src-main/services/handlers.ts';
import type { Drive } from '../../../../src-shared/contract/index.ts';
import type { JobEvent } from '../../../../src-shared/job/events.ts';
import { planLayout, TooSmallError } from '../../../../src-shared/layout/index.ts';
import { imageFolderVerdict } from '../../../../src-shared/drives/image-folder.ts';
import { getLocale, setLocale } from '../../../../src-shared/i18n/index.ts';
import { parseBundleManifest, parseImageProfile, type BundleManifest, type ImageProfile } from '../../../../src-shared/profile/index.ts';
import { applyEvent, initialSnapshot } from '../../../../src-main/services/jobs/job-state.ts';
import { planStickJobWork, planTargetWork } from '../../../../src-shared/progress/work-plan.ts';
import type { CacheSetSummary } from '../../../../src-shared/contract/domains/cache-sets.ts';
import type { CloneRequest } from '../../../../src-shared/contract/domains/jobs.ts';
import type { StickSource } from '../../../../src-shared/contract/domains/sticks.ts';
import type { Snapshot, SnapshotTarget } from './fixtures.ts';

const ROOT = join(import.meta.dirname, '../../../..');
export const DEMO_DIR = '/opt/iios/demo-bundle';

export const demoManifest: BundleManifest = parseBundleManifest(
  JSON.stringify({
    format: 1,
    name: 'iios-demo',
    version: '2026.11.1',
    arch: 'x86_64',
    kernel: 'vmlinuz',
    initrd: 'initrd.img',
    cmdline: 'console=ttyS0,115200',
    bootloader: 'systemd-bootx64.efi',
    rootfs: { kind: 'squashfs', file: 'root.squashfs', sizeBytes: 933888 },
    verity: { hashFile: 'root.verity', rootHash: '1f22750d13196694e7e3666a61c3fda05edc1e0de409a6c68cada740b138683d', salt: 'e33e5363845c1db6bb633b9a2497401e71cb653876c5982bd1e185369ebfca43', dataBlockSize: 4096, hashBlockSize: 4096, hashAlgorithm: 'sha256', sizeBytes: 16384 },
    files: {
      vmlinuz: { sha256: '26f2e57c99338feaf71c46fa4babdc7e1a6c115943002d109fdb746667104f5f', sizeBytes: 8247232 },
      'initrd.img': { sha256: 'df930365f9cb2161e533ffb6dd000e340bf35546cdd318e9639bacce1a62a9dc', sizeBytes: 7252453 },
      'root.squashfs': { sha256: 'e33e5363845c1db6bb633b9a2497401e71cb653876c5982bd1e185369ebfca43', sizeBytes: 933888 },
      'root.verity': { sha256: '32d869a98fdd78e712e558e618c7061a1e686dca59d5adb9102468c8cff8f45f', sizeBytes: 16384 },
      'systemd-bootx64.efi': { sha256: '10288fece5e90ce3ba3e7160f49695b022d648f7ef41774678db8c77774db167', sizeBytes: 140891 },
    },
  }),
  'manifest.json',
);

export function builtInProfiles(): ImageProfile[] {
  const dir = join(ROOT, 'resources/profiles');
  const order = ['classroom', 'appliance', 'kiosk', 'raw'];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parseImageProfile(readFileSync(join(dir, f), 'utf8'), f, f.slice(0, -5)))
    .sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
}

export interface FakeServices {
  drives: Drive[];
  caches: { kind: string; path: string; sizeBytes: number; files: number }[];
  /** Cache sets as cachesets.list reports them; a build marks every kind built with these bytes each. */
  cacheSets?: CacheSetSummary[];
  /** Sets outside the cache-sets folder: cachesets.open finds them by file, cachesets.list does not list them. */
  otherCacheSets?: CacheSetSummary[];
  /** Bytes each kind has once built (cachesets.build). */
  cacheSetKindBytes?: number;
  job: Snapshot | null;
  /** Bundle folders that fail their check, with the services' message. */
  brokenBundles: Record<string, string>;
  /** Raw disk images by path, as images.inspect reports them. */
  images: Record<string, z.input<typeof ImageInfoSchema>>;
  /** Sticks and image files as sticks.inspect reads them, by path; any other path cannot be read. */
  sticks: Record<string, StickSource>;
  /** Every clone request the wizard sent. */
  clones: CloneRequest[];
  /** The names given to places (drives.setPortLabel). */
  portLabels: Record<string, string>;
  /** What bundles.library answers. */
  library?: LibraryBundle[];
  /** Folders that do not exist, for drives.checkImageFolder (every other folder is fine). */
  missingFolders?: string[];
}

export function createServiceHandlers(s: FakeServices): Record<string, unknown> {
  const profiles = builtInProfiles();
  const bundles: Record<string, BundleManifest> = { [DEMO_DIR]: demoManifest };
  const handlers = {
    'app.info': () => ({ name: 'iios', version: '0.1.0', platform: 'linux', arch: 'x64', transport: 'bridge', elevated: true }),
    'drives.list': () => s.drives,
    'drives.eject': (args: { id: string }) => {
      if (!s.drives.some((d) => d.id === args.id)) throw new Error(`${args.id} is gone`);
      return { ejected: true };
    },
    'drives.portLabels': () => s.portLabels,
    'drives.setPortLabel': (args: { key: string; label: string | null }) => {
      const next = { ...s.portLabels };
      if (args.label) next[args.key] = args.label;
      else delete next[args.key];
      s.portLabels = next;
      return next;
    },
    'drives.unmount': (args: { id: string }) => {
      const d = s.drives.find((x) => x.id === args.id);
      if (!d) throw new Error(`${args.id} is gone`);
      const unmounted = d.mountpoints.map((m) => m.path);
      s.drives = s.drives.map((x) => (x.id === args.id ? { ...x, mountpoints: [] } : x));
      return { unmounted };
    },
    'drives.checkImageFolder': (args: { path: string; sizeBytes: number; writeBytes?: number }) => {
      const folder = args.path.slice(0, args.path.lastIndexOf('/')) || '/';
      const missing = (s.missingFolders ?? []).includes(folder);
      // the real rule's answer, worded as a main process that speaks English words it (the GUI's language may differ)
      const gui = getLocale();
      setLocale('en');
      const facts = { folder, kind: missing ? 'absent' : 'folder', existingParent: null, writable: true, freeBytes: 1e12, reclaimableBytes: 0 } as const;
      const verdict = imageFolderVerdict(args.path, facts, args);
      setLocale(gui);
      return { ...verdict, folder, freeBytes: missing ? null : 1e12 };
    },
    'caches.list': () => s.caches,
    'cachesets.list': () => s.cacheSets ?? [],
    'cachesets.open': (args: { set: string }) => {
      const found = [...(s.cacheSets ?? []), ...(s.otherCacheSets ?? [])].find((c) => c.file === args.set || c.id === args.set);
      if (!found) throw new Error(`no cache set ${args.set}`);
      return found;
    },
    'cachesets.build': (args: { set: string }) => {
      const sets = s.cacheSets ?? [];
      const bytes = s.cacheSetKindBytes ?? 1000;
      const at = sets.findIndex((c) => c.file === args.set || c.id === args.set);
      if (at < 0) throw new Error(`no cache set ${args.set}`);
      const built = sets[at]!;
      const kinds = built.kinds.map((k) => ({ ...k, sizeBytes: bytes, files: 1, builtAt: '2026-12-03T06:00:00.000Z' }));
      sets[at] = { ...built, kinds, builtBytes: bytes * kinds.length, builtFiles: kinds.length, complete: true };
      return kinds.map((k) => ({ kind: k.kind, items: 1, newItems: [`${k.kind}-item`], sizeBytes: bytes, seconds: 0 }));
    },
    'jobs.current': () => s.job,
    'jobs.cancel': () => ({ cancelled: s.job !== null && (s.job.status === 'running' || s.job.status === 'starting') }),
    'jobs.start': (args: { profileId: string; targets: { path: string; sizeBytes?: number }[]; namePattern?: string; firstNumber?: number }) => {
      if (s.job && (s.job.status === 'running' || s.job.status === 'starting' || s.job.status === 'cancelling')) {
        throw new Error(`a write is already running (job ${s.job.jobId}); wait for it to finish or cancel it first`);
      }
      const targets = args.targets.map((t, i) => ({
        id: `t${i + 1}-${t.path.split('/').pop()}`,
        path: t.path,
        kind: t.path.startsWith('/dev/') ? ('device' as const) : ('image-file' as const),
        sizeBytes: t.sizeBytes ?? s.drives.find((d) => d.device === t.path)?.sizeBytes ?? 0,
        hostname: (args.namePattern ?? 'iios-{nn}').replace('{nn}', String((args.firstNumber ?? 1) + i).padStart(2, '0')),
      }));
      // the job service's own snapshot and work plan (the profile and bundle the wizard chose)
      const profile = profiles.find((p) => p.id === args.profileId) ?? profiles[0]!;
      const job = initialSnapshot(`job-${Date.now().toString(36)}`, targets, planTargetWork({ profile, manifest: demoManifest, verify: true }));
      s.job = job;
      return { jobId: job.jobId, targets };
    },
    'sticks.inspect': (args: { path: string }) => {
      const stick = s.sticks[args.path];
      if (!stick) throw new Error(`${args.path}: no partition table: not a stick iios can read`);
      return stick;
    },
    'jobs.clone': (args: CloneRequest) => {
      s.clones.push(args);
      const targets = args.targets.map((t, i) => ({
        id: `t${i + 1}`,
        path: t.path,
        kind: t.path.startsWith('/dev/') ? ('device' as const) : ('image-file' as const),
        sizeBytes: t.sizeBytes ?? s.drives.find((d) => d.device === t.path)?.sizeBytes ?? 0,
        hostname: (args.namePattern ?? 'iios-{nn}').replace('{nn}', String(i + (args.firstNumber ?? 1)).padStart(2, '0')),
      }));
      const job = initialSnapshot(`clone-${Date.now().toString(36)}`, targets, planStickJobWork('clone', true));
      s.job = job;
      return { jobId: job.jobId, targets };
    },
    'profiles.list': () => profiles,
    'bundles.default': () => bundleInfo(DEMO_DIR, demoManifest, false),
    'bundles.library': () => s.library ?? [],
    'bundles.inspect': (args: { dir: string }) => {
      if (s.brokenBundles[args.dir]) throw Object.assign(new Error(s.brokenBundles[args.dir]), { code: 'E_BUNDLE' });
      const manifest = bundles[args.dir];
      if (!manifest) throw Object.assign(new Error(`${args.dir}/manifest.json: no such file: not an iios bundle`), { code: 'E_BUNDLE' });
      return bundleInfo(args.dir, manifest, true);
    },
    'images.inspect': (args: { path: string }) => {
      const image = s.images[args.path];
      if (!image) throw new Error(`${args.path}: no such file`);
      return image;
    },
    'plan.compute': (args: { profile: string; bundleDir?: string; imagePath?: string; targetBytes: number; caches?: { bytes: number; files: number } }) => {
      const profile = profiles.find((p) => p.id === args.profile);
      if (!profile) throw new Error(`no profile ${args.profile}`);
      if (args.imagePath) {
        const bytes = s.images[args.imagePath]?.uncompressedBytes;
        if (!bytes) throw new Error(`${args.imagePath}: the uncompressed size is not known without decompressing it`);
        return { plan: planLayout(profile, { imageBytes: bytes }, args.targetBytes), source: `image ${args.imagePath}` };
      }
      const manifest = bundles[args.bundleDir ?? DEMO_DIR]!;
      try {
        return { plan: planLayout(profile, manifest, args.targetBytes, args.caches ? { caches: args.caches } : {}), source: `bundle ${args.bundleDir} (${manifest.name} ${manifest.version})` };
      } catch (err) {
        if (err instanceof TooSmallError) throw Object.assign(err, { code: 'E_TOO_SMALL' });
        throw err;
      }
    },
  } satisfies Partial<Record<keyof Handlers | string, unknown>>;
  return handlers;
}

/**
 * Advances the in-memory job by one helper event with the job service's own fold (job-state applyEvent), then
 * what a test adds on top (a status the service would set outside the fold, a target's fields); returns the notice.
 */
export function jobNotice(
  s: FakeServices,
  event: JobEvent,
  patch: Record<string, Partial<SnapshotTarget>> = {},
  status?: Snapshot['status'],
  at = new Date(),
) {
  if (!s.job) throw new Error('no job');
  const folded = applyEvent(s.job as Parameters<typeof applyEvent>[0], event, at);
  s.job = {
    ...folded,
    status: status ?? folded.status,
    targets: folded.targets.map((t) => ({ ...t, ...patch[t.id] })),
  };
  return { jobId: s.job.jobId, event, snapshot: s.job };
}

function bundleInfo(dir: string, manifest: BundleManifest, verified: boolean) {
  return { dir, manifest, verified, totalBytes: Object.values(manifest.files).reduce((sum, f) => sum + f.sizeBytes, 0) };
}
