// The renderer's view of what the services tell it. The contract's own types are used where they exist
// (Drive, JobEvent); the rest are the narrow shapes the wizard reads, filled in by ./api.ts from the contract.
import type { Drive, InvokeArgs } from '../../src-shared/contract/index.ts';
import type { JobEvent, Phase } from '../../src-shared/job/events.ts';

export type { Drive, JobEvent, Phase };
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
}

/** The parts of a PartitionPlan (src-shared/layout) that pictures and the review need. */
export interface PlanView {
  diskBytes: number;
  partitions: PlanPartition[];
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
}

export interface ImageView {
  kind: 'image';
  path: string;
  sizeBytes: number;
  /** Compression of the file (xz, gz, zst, bz2) or null for a plain image. */
  compression: string | null;
}

export type SourceView = BundleView | ImageView;

export interface CacheSetView {
  /** The cache's folder on this computer (unique). */
  path: string;
  kind: string;
  sizeBytes: number;
  files: number;
}

export type PlanResult =
  | { ok: true; plan: PlanView }
  | { ok: false; reason: string; /** bytes the smallest fitting target has, when known */ minBytes: number | null };

export interface TargetRequest {
  kind: 'device' | 'image-file';
  path: string;
  /** The size the target has (devices) or is to be created with (image files). */
  sizeBytes: number;
}

export interface StartRequest {
  profileId: string;
  source: SourceView;
  targets: TargetRequest[];
  namePattern: string;
  payload: string[];
  caches: { kind: string; path: string }[];
  unmountIfMounted: boolean;
}

/** What jobs.start answers: the job id and the services' id and name for each target path. */
export interface StartedJobView {
  jobId: string;
  targets: { id: string; path: string; hostname: string }[];
}

export interface JobNotice {
  jobId: string;
  event: JobEvent;
  /** The job as the services see it after this event. */
  snapshot: JobSnapshotView;
}

/** A running or finished job as the services keep it (after a reload the wizard picks it up again). */
export interface JobSnapshotView {
  jobId: string;
  status: 'starting' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';
  error: string | null;
  /** The job's log file: every command it ran. */
  logPath?: string;
  targets: {
    id: string;
    path: string;
    hostname: string;
    status: 'pending' | 'running' | 'done' | 'failed';
    phase: Phase | null;
    bytesDone: number;
    bytesTotal: number;
    speedBps: number;
    etaSeconds: number | null;
    verified: boolean;
    cancelled: boolean;
    message: string | null;
  }[];
}

/** Everything the wizard asks of the services; ./api.ts implements it over window.iios. */
export interface WizardApi {
  listDrives(): Promise<Drive[]>;
  onDrivesChanged(listener: (drives: Drive[]) => void): Unsubscribe;
  listProfiles(): Promise<ProfileView[]>;
  defaultBundle(): Promise<SourceView | null>;
  /** Throws an Error whose message says why the bundle or image is refused. */
  inspectSource(path: string, want: 'bundle' | 'image'): Promise<SourceView>;
  computePlan(profileId: string, source: SourceView, targetBytes: number): Promise<PlanResult>;
  listCaches(): Promise<CacheSetView[]>;
  startJob(request: StartRequest): Promise<StartedJobView>;
  cancelJob(): Promise<void>;
  currentJob(): Promise<JobSnapshotView | null>;
  onJobEvent(listener: (notice: JobNotice) => void): Unsubscribe;
  eject(driveId: string): Promise<boolean>;
  /** Whether native file choosers exist here (the Electron window); the browser keeps typed paths only. */
  nativePickers(): Promise<boolean>;
  /** The chosen paths, or null when the user cancelled. Throws when the chooser could not open. */
  pickPath(request: PickRequest): Promise<string[] | null>;
}
