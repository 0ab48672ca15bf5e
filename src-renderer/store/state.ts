// The wizard store's shape: every slice's state and actions, and the whole they make. Kept apart from the
// slices' code so that a slice reads the others' types (its get() sees the whole store) without importing
// them, and store.ts, which puts the slices together, is imported by none of them: no import circle.
import type { StoreApi } from 'zustand/vanilla';
import type { ErrorDetails } from '../../src-shared/contract/error-details.ts';
import type { BatchProgress, PhaseVisit, TargetStage } from '../../src-shared/progress/progress-schema.ts';
import type { WrittenNumbers } from '../../src-shared/station/name-counter.ts';
import type { StationMemory } from '../../src-shared/station/station-drives.ts';
import type { CacheBuildStep } from '../../src-shared/caches/build-step.ts';
import type { CacheKind } from '../../src-shared/caches/cache-set.ts';
import type { BundleView, CacheSetBuildResult, CacheSetProgressView, CacheSetSummary, CacheSetView, Drive, JobNotice, LibraryBundleView, PickRequest, Phase, PlanView, ProfileView, SourceView, StickSourceView, WizardApi, WriteRequest } from './types.ts';

import type { StepId, WizardMode } from './modes.ts';

export { ALL_STEPS, stepsOf, type StepId, type WizardMode } from './modes.ts';

export interface NavSlice {
  /** What the wizard is doing (the first step's choice): its steps are stepsOf(mode). */
  mode: WizardMode;
  step: StepId;
  /** Chooses what to do; refused while a job runs. Keeps every choice made in either mode. */
  chooseMode(mode: WizardMode): void;
  goTo(step: StepId): void;
  /** Subscribes to pushed events and loads what every step needs; returns the unsubscribe. */
  connect(): () => void;
}

export interface DrivesSlice {
  drives: Drive[];
  drivesLoaded: boolean;
  drivesError: string | null;
  showAllDrives: boolean;
  loadDrives(): Promise<void>;
  setDrives(drives: Drive[]): void;
  setShowAllDrives(on: boolean): void;
  /** Unmounts a mounted drive from iios, so it can be ticked (a mounted drive never is). */
  unmountDrive(id: string): Promise<void>;
  unmountError: Record<string, string>;
  /** The names the user gave the places sticks are plugged in (USB ports, loop devices' files), by place key. */
  portLabels: Record<string, string>;
  /** Why the last rename failed, by place key. */
  portLabelError: Record<string, string>;
  loadPortLabels(): Promise<void>;
  /** Names a place (empty or null: forgets its name); true when it was saved. */
  renamePlace(key: string, label: string | null): Promise<boolean>;
}

export interface ImageFileTarget {
  enabled: boolean;
  path: string;
  sizeBytes: number;
}

export interface SelectionSlice {
  profiles: ProfileView[];
  profilesError: string | null;
  profileId: string | null;
  /** The default (demo) bundle, kept so switching back from raw restores it. */
  defaultSource: SourceView | null;
  source: SourceView | null;
  sourcePath: string;
  sourceLoading: boolean;
  sourceError: string | null;
  /** The bundle library; null until loaded. */
  library: LibraryBundleView[] | null;
  libraryError: string | null;
  selectedDrives: string[];
  imageTarget: ImageFileTarget;
  namePattern: string;
  /** The number in the first stick's name (class-{nn} from 7: class-07, class-08 …). */
  firstNumber: number;
  /** Raw profile: add the persistence partition; null keeps the profile's own setting. */
  persistence: boolean | null;
  /** Check each stick for fake capacity before writing it (the write request's capacityCheck). */
  capacityCheck: boolean;
  payload: string[];
  availableCaches: CacheSetView[] | null;
  cachesError: string | null;
  caches: string[];
  loadProfiles(): Promise<void>;
  loadDefaultSource(): Promise<void>;
  /** Lists the bundle library again (a stick may have been plugged in). */
  loadLibrary(): Promise<void>;
  loadCaches(): Promise<void>;
  chooseProfile(id: string): void;
  setSourcePath(path: string): void;
  inspectSource(path?: string): Promise<void>;
  toggleDrive(id: string, on: boolean): void;
  /** Select all / none: exactly these drives. */
  selectDrives(ids: string[]): void;
  setImageTarget(patch: Partial<ImageFileTarget>): void;
  setNamePattern(pattern: string): void;
  setFirstNumber(first: number): void;
  setPersistence(on: boolean): void;
  setCapacityCheck(on: boolean): void;
  addPayload(path: string): void;
  removePayload(path: string): void;
  toggleCache(id: string, on: boolean): void;
}

/** A cache set being built: which, its kinds in build order, the kind at work and the whole build's fraction. */
export interface CacheSetBuild {
  file: string;
  id: string;
  kinds: CacheKind[];
  kind: CacheKind | null;
  fraction: number;
  /** what the build does now, as the service says it in data (worded from the catalogue); null before it says */
  step: CacheBuildStep | null;
}

/** What a finished build brought, per kind: shown under the set until another build starts. */
export interface CacheSetBuildDone {
  file: string;
  kinds: CacheSetBuildResult;
}

export interface CacheSetsSlice {
  /** The sets of ~/.config/iios/cache-sets/ and those opened from elsewhere; null until listed. */
  cacheSets: CacheSetSummary[] | null;
  cacheSetsError: string | null;
  /** Files of sets opened from outside the folder: listed again with the others. */
  openedCacheSets: string[];
  /** The chosen set's file (what the write request names), or null: no cache set on the sticks. */
  cacheSetFile: string | null;
  cacheSetOpening: boolean;
  cacheSetOpenError: string | null;
  cacheSetBuild: CacheSetBuild | null;
  cacheSetBuildError: { file: string; message: string } | null;
  cacheSetBuildDone: CacheSetBuildDone | null;
  loadCacheSets(): Promise<void>;
  openCacheSetFile(path: string): Promise<void>;
  chooseCacheSet(file: string | null): void;
  /** Builds or refreshes a listed set; refused while another builds or a flash runs. */
  buildCacheSet(file: string): Promise<void>;
  applyCacheSetProgress(progress: CacheSetProgressView): void;
}

export type StickInfoEntry =
  | { status: 'loading'; key: string }
  | { status: 'ok'; key: string; info: StickSourceView }
  | { status: 'error'; key: string; reason: string };

export interface CloneSlice {
  /** The source's path as chosen or typed: a stick's device, or an image file saved from one. */
  cloneSourcePath: string;
  /** The source as the services read it; null until it has been read and accepted. */
  cloneSource: StickSourceView | null;
  cloneSourceLoading: boolean;
  cloneSourceError: string | null;
  /** Fresh: the same system, bundles and caches with an empty @home and @state; else a full copy. */
  cloneFresh: boolean;
  /** What each plugged-in stick holds, read for the source list (by device; `key` is the size it was read at). */
  stickInfos: Record<string, StickInfoEntry>;
  /** Reads every listed source drive not read yet (or re-plugged with another size). */
  readStickInfos(devices: string[]): void;
  setCloneSourcePath(path: string): void;
  chooseCloneSource(path?: string): Promise<void>;
  setCloneFresh(on: boolean): void;
}

/** The new system of an update: a checked bundle folder, or another iios stick's newest system. */
export type UpdateSource = { kind: 'bundle'; bundle: BundleView } | { kind: 'stick'; path: string; info: StickSourceView };

export interface UpdateSlice {
  /** The sticks to update, by path (a drive's device, or an image file saved from a stick), in the order ticked. */
  updateTargets: string[];
  /** Image files saved from sticks, added by path (their infos are read like a drive's). */
  updateFiles: string[];
  updateSource: UpdateSource | null;
  /** The bundle folder as typed, and the stick chosen as the source. */
  updateBundlePath: string;
  /** The stick chosen to give its system (chosen at once; updateSource follows once it has been read). */
  updateStickPath: string;
  updateSourceLoading: boolean;
  updateSourceError: string | null;
  toggleUpdateTarget(path: string, on: boolean): void;
  addUpdateFile(path: string): void;
  setUpdateBundlePath(path: string): void;
  chooseUpdateBundle(path?: string): Promise<void>;
  chooseUpdateStick(path: string): Promise<void>;
  /** Reads a stick again (after it was updated, or re-plugged). */
  rereadStick(path: string): void;
}

export type PlanEntry =
  | { status: 'loading'; key: string }
  | { status: 'ok'; key: string; plan: PlanView }
  | { status: 'error'; key: string; reason: string; minBytes: number | null };

export type ImageFolderEntry =
  | { status: 'checking'; key: string }
  | { status: 'done'; key: string; problem: string | null; notice: string | null };

export interface ImageFolderSlice {
  /** The image-file target's folder as the services last judged it (`key`: the path and sizes it was checked for). */
  imageFolder: ImageFolderEntry | null;
  /** Checks the folder when the image file's path or size changed, or `again` (the folder may have been made since). */
  checkImageFolder(again?: boolean): Promise<void>;
}

export interface PlansSlice {
  /** By target key (drive id or IMAGE_FILE_KEY). `key` says which inputs the entry was computed for. */
  plans: Record<string, PlanEntry>;
  previews: Record<string, PlanEntry>;
  refreshPlans(): void;
  refreshPreviews(): void;
}

export type FlashTargetState = TargetStage;

export interface FlashTarget {
  id: string;
  /** Drive id, or the image-file key: what the done step ejects. */
  key: string;
  kind: 'device' | 'image-file';
  label: string;
  path: string;
  hostname: string;
  phase: Phase | null;
  /** 0…1 over this target's whole job: never goes back, 1 only when done. */
  fraction: number;
  /** Whole seconds left for this target, null while unknown. */
  secondsLeft: number | null;
  /** Speed of the current phase; 0 in a phase that moves no bytes. */
  speedBps: number;
  /** The phases so far with when they began (kept by the services, so a reloaded window has them too). */
  history: PhaseVisit[];
  state: FlashTargetState;
  message: string | null;
}

export type FlashStatus = 'idle' | 'starting' | 'running' | 'cancelling' | 'finished';

export interface FlashSlice {
  flashStatus: FlashStatus;
  jobId: string | null;
  flashTargets: FlashTarget[];
  /** Every target together: fraction and time left until the last one ends (null before a job). */
  flashBatch: BatchProgress | null;
  /** Why the job as a whole failed or was refused (not one target). */
  flashError: string | null;
  /** The job's typed failure (e.g. why administrator rights could not be had), when the services gave one. */
  flashErrorDetails: ErrorDetails | null;
  /** The finished job's log file (every command it ran), when the app keeps one. */
  flashLogPath: string | null;
  /** Per drive: ejecting, or what eject did (`done`) or why it did not (`error`), in the words for that device. */
  ejected: Record<string, 'ejecting' | 'ejected' | { done: string } | { error: string }>;
  flashBusy(): boolean;
  /** Starts a job from a request built elsewhere (the station's next sticks); refused while one runs. */
  launchFlash(request: WriteRequest, targets: FlashTarget[]): Promise<{ ok: true } | { ok: false; reason: string }>;
  startFlash(): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** Starts the last flash again with the same request (after a dismissed password prompt): nothing re-entered. */
  retryFlash(): Promise<{ ok: true } | { ok: false; reason: string }>;
  cancelFlash(): Promise<void>;
  applyJobNotice(notice: JobNotice): void;
  resumeJob(): Promise<void>;
  ejectTarget(key: string): Promise<void>;
  flashMore(): void;
}

export interface PickersSlice {
  nativePickers: boolean;
  /** A chooser is open (its window is modal; a second click must not queue another). */
  picking: boolean;
  loadPickers(): Promise<void>;
  /** The chosen paths; null when cancelled or when a chooser is already open. Throws when it cannot open. */
  pickPath(request: PickRequest): Promise<string[] | null>;
}

/** A stick the station saw arrive and did not flash by itself: refused (why), or re-plugged (asks first). */
export interface StationNote {
  driveId: string;
  label: string;
  kind: 'refused' | 'replugged';
  text: string;
}

export interface StationSlice {
  /** The teacher asked for station mode (targets step); it starts with the first confirmed flash. */
  stationWanted: boolean;
  stationActive: boolean;
  stationMemory: StationMemory | null;
  /** Drive ids the station will flash as soon as the writer is free. */
  stationQueue: string[];
  /** The rows of the station's earlier jobs (the current job's rows are flashTargets). */
  stationRows: FlashTarget[];
  stationNotes: StationNote[];
  /** The number the station gives the next stick. */
  stationNextNumber: number;
  /** Per name pattern, the highest number written since iios started: the next batch starts after it. */
  writtenNumbers: WrittenNumbers;
  /** Play a sound with the notification at the end of a batch. */
  soundOnDone: boolean;
  setStationWanted(on: boolean): void;
  setSoundOnDone(on: boolean): void;
  /** The first confirmation: flash the ticked sticks (if any) and keep flashing new ones. */
  startStation(): Promise<{ ok: true } | { ok: false; reason: string }>;
  stopStation(): void;
  /** Called when the drive list changes: new sticks are decided on and queued. */
  stationLookAtDrives(): void;
  /** The teacher says yes to flashing a re-plugged stick again, with a new name. */
  flashAgain(driveId: string): void;
  dismissNote(driveId: string): void;
  /** Called by the flash slice when a job ended: names counted, notification sent, the station goes on. */
  jobEnded(): void;
}

export type WizardState = DrivesSlice & SelectionSlice & CacheSetsSlice & CloneSlice & UpdateSlice & PlansSlice & ImageFolderSlice & FlashSlice & PickersSlice & NavSlice & StationSlice;
export type WizardStore = StoreApi<WizardState>;
export type SliceCreator<T> = (
  set: StoreApi<WizardState>['setState'],
  get: StoreApi<WizardState>['getState'],
  api: WizardApi,
) => T;
