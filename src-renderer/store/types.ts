// The renderer's view of what the services tell it. The contract's own types are used where they exist
// (Drive, JobEvent, the write request, the started job, the job snapshot); the rest are the narrow shapes the
// wizard reads, filled in by ./api.ts from the contract.
import type { z } from 'zod';
import type { Drive, InvokeArgs } from '../../src-shared/contract/index.ts';
import type { EjectKind } from '../../src-shared/drives/eject-kind.ts';
import type { ImageFolderNotice, ImageFolderProblem } from '../../src-shared/drives/rule-problems.ts';
import type { CacheEntry, CloneRequest, JobNotice, JobSnapshot, PayloadRequest, StartedJob, UpdateRequest, WriteRequest } from '../../src-shared/contract/domains/jobs.ts';
import type { StickSource } from '../../src-shared/contract/domains/sticks.ts';
import type { LibraryBundle } from '../../src-shared/contract/domains/profiles.ts';
import type { CacheSetBuildResult as BuildResultSchema, CacheSetProgress, CacheSetSummary } from '../../src-shared/contract/domains/cache-sets.ts';
import type { SlotRoom } from '../../src-shared/layout/plan-types.ts';
import type { CacheContent } from '../../src-shared/caches/cache-fit.ts';
import type { JobEvent, Phase } from '../../src-shared/job/events.ts';

export type { CacheSetSummary, CloneRequest, Drive, JobEvent, JobNotice, JobSnapshot, PayloadRequest, Phase, StartedJob, UpdateRequest, WriteRequest };
/** A bundle of the library (this computer's, the demo OS, or on a plugged-in iios stick), from bundles.library. */
export type LibraryBundleView = LibraryBundle;
/** A clone's source as the services read it (the contract's sticks.inspect answer). */
export type StickSourceView = StickSource;
/** A running or finished job as the services keep it (the contract's snapshot; after a reload the wizard picks it up again). */
export type JobSnapshotView = JobSnapshot;
export type Unsubscribe = () => void;

/** What a "Choose…" button asks the desktop's file chooser for (the contract's app.pickPath arguments). */
export type PickRequest = InvokeArgs<'app.pickPath'>;

export interface PlanPartition {
  index: number;
  role: string;
  name: string;
  startBytes: number;
  sizeBytes: number;
  filesystem: string;
  readOnly: boolean;
  /** Btrfs partitions: their subvolumes (the one with @caches takes a cache set). */
  btrfs?: { subvolumes: string[] } | undefined;
}

/** The parts of a PartitionPlan (src-shared/layout) that pictures and the review need. */
export interface PlanView {
  diskBytes: number;
  /** The smallest stick this profile and system fit on, caches not counted (a planned layout has it). */
  neededBytes?: number;
  partitions: PlanPartition[];
  /** A/B slots that prefer a size: what each got on this stick (src-shared/layout) */
  slotRoom?: SlotRoom | undefined;
}

export interface ProfileView {
  id: string;
  title: string;
  /** One line: what this profile makes. */
  description: string;
  /** What the profile writes from: an iios bundle folder or a plain disk image (raw). */
  source: 'bundle' | 'image';
  /** The profile has a payload partition (kiosk): the options step offers payload files. */
  payload: boolean;
  /** Raw profiles: whether a persistence partition follows the image unless the user says otherwise; null for others. */
  persistence: boolean | null;
}

export interface BundleView {
  kind: 'bundle';
  dir: string;
  name: string;
  version: string;
  arch: string;
  rootfsKind: string;
  /** Bytes of every file of the bundle together. */
  sizeBytes: number;
  rootHash: string | null;
  /** The root image's and its hash tree's bytes: what an update must fit into a stick's slot. */
  rootfsBytes?: number;
  verityBytes?: number | null;
}

export interface ImageView {
  kind: 'image';
  path: string;
  sizeBytes: number;
  /** Compression of the file (xz, gz, zst, bz2) or null for a plain image. */
  compression: string | null;
}

export type SourceView = BundleView | ImageView;

/** A cache set's build progress as the services push it (one kind's fraction and what it is doing). */
export type CacheSetProgressView = z.infer<typeof CacheSetProgress>;

/** Per kind, what a finished build holds and brought (the contract's cachesets.build answer). */
export type CacheSetBuildResult = z.infer<typeof BuildResultSchema>;

/** An offline cache on this computer (the contract's caches.list entry; its path is unique). */
export type CacheSetView = CacheEntry;

export type PlanResult =
  | { ok: true; plan: PlanView }
  | { ok: false; reason: string; /** bytes the smallest fitting target has, when known */ minBytes: number | null };

/** Everything the wizard asks of the services; ./api.ts implements it over window.iios. */
export interface WizardApi {
  listDrives(): Promise<Drive[]>;
  onDrivesChanged(listener: (drives: Drive[]) => void): Unsubscribe;
  listProfiles(): Promise<ProfileView[]>;
  defaultBundle(): Promise<SourceView | null>;
  /** The bundle library, plugged-in iios sticks included (manifests only; a chosen one goes through inspectSource). */
  listLibrary(): Promise<LibraryBundleView[]>;
  /** Throws an Error whose message says why the bundle or image is refused. */
  inspectSource(path: string, want: 'bundle' | 'image'): Promise<SourceView>;
  computePlan(profileId: string, source: SourceView, targetBytes: number, options?: { persistence?: boolean; caches?: CacheContent }): Promise<PlanResult>;
  /** Whether an image file of `sizeBytes` can be made at `path` (its folder: exists, writable, room for `writeBytes`). */
  checkImageFolder(
    path: string,
    sizeBytes: number,
    writeBytes: number,
  ): Promise<{ problem: string | null; notice: string | null; said?: ImageFolderProblem | null; noticeSaid?: ImageFolderNotice | null }>;
  listCaches(): Promise<CacheSetView[]>;
  /** The cache sets of this computer (~/.config/iios/cache-sets/), each kind's size and last build. */
  listCacheSets(): Promise<CacheSetSummary[]>;
  /** A cache set from a file the user names; throws with the file, field and reason when it does not parse. */
  openCacheSet(file: string): Promise<CacheSetSummary>;
  /** Builds (or refreshes) a set into the library; progress arrives through onCacheSetProgress. */
  buildCacheSet(set: string): Promise<CacheSetBuildResult>;
  onCacheSetProgress(listener: (progress: CacheSetProgressView) => void): Unsubscribe;
  startJob(request: WriteRequest): Promise<StartedJob>;
  /** Reads a stick or image file as a clone's source; throws with the services' reason when it cannot be one. */
  inspectStick(path: string): Promise<StickSourceView>;
  startClone(request: CloneRequest): Promise<StartedJob>;
  /** Starts an update of the sticks' inactive slots (the same helper job as `iios update`). */
  startUpdate(request: UpdateRequest): Promise<StartedJob>;
  /** Starts replacing a kiosk stick's payload files (the same helper job as `iios payload`). */
  startPayload(request: PayloadRequest): Promise<StartedJob>;
  cancelJob(): Promise<void>;
  currentJob(): Promise<JobSnapshot | null>;
  onJobEvent(listener: (notice: JobNotice) => void): Unsubscribe;
  eject(driveId: string): Promise<{ ejected: boolean; said?: string; kind?: EjectKind; unmounted?: number }>;
  /** Unmounts the drive's filesystems so it can be chosen. */
  unmount(driveId: string): Promise<void>;
  /** The names the user gave the places sticks are plugged in, by place key. */
  portLabels(): Promise<Record<string, string>>;
  /** Names a place (null: forgets its name); every name after the change. */
  setPortLabel(key: string, label: string | null): Promise<Record<string, string>>;
  /** Whether native file choosers exist here (the Electron window); the browser keeps typed paths only. */
  nativePickers(): Promise<boolean>;
  /** The chosen paths, or null when the user cancelled. Throws when the chooser could not open. */
  pickPath(request: PickRequest): Promise<string[] | null>;
}

/** A stick or image file chosen as a target, with its plan once worked out. */
export interface ChosenTarget {
  key: string;
  kind: 'device' | 'image-file';
  label: string;
  path: string;
  sizeBytes: number;
  drive: Drive | null;
  plan: PlanView | null;
}
