// Derived views of the store: which drives are shown and selectable (and why not), the chosen targets in
// order, their names, and whether each step may be left.
import { expandNames, hasCounter } from '../../src-shared/job/names.ts';
import { t, type PlainKey } from '../../src-shared/i18n/index.ts';
import { driveIssues, type DriveIssueCode } from '../../src-shared/drives/drive-rules.ts';
import { baseName } from './format.ts';
import { driveMake } from '../../src-shared/drives/drive-label.ts';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { IMAGE_FILE_KEY, sourceLocation } from './selection-slice.ts';
import type { StepId, WizardState } from './state.ts';
import type { Drive, SourceView } from './types.ts';
import { cachesReady } from './cache-selectors.ts';
import type { ChosenTarget } from './types.ts';

export type { ChosenTarget };
import { imageFilePathProblem } from '../../src-shared/drives/image-file-target.ts';
import { imageFolderHint } from './image-folder-slice.ts';
import { updateSticksReady, updateSystemReady } from './update-view.ts';

export type BadgeTone = 'danger' | 'warn' | 'info' | 'plain';
export interface Badge {
  /** Which rule (system, too-small…; 'no-fit' when the planner refused for another reason). */
  code: string;
  text: string;
  tone: BadgeTone;
  /** The full sentence (title / screen readers). */
  detail: string;
}

export interface DriveVerdict {
  selectable: boolean;
  /** Why it cannot be chosen (shown under the drive), or null. */
  reason: string | null;
  badges: Badge[];
}

const BADGE_TEXT: Record<DriveIssueCode, PlainKey> = {
  system: 'badge.system',
  'read-only': 'badge.read-only',
  'too-small': 'badge.too-small',
  source: 'badge.source',
  mounted: 'badge.mounted',
  large: 'badge.large',
  virtual: 'badge.virtual',
};

export function visibleDrives(s: Pick<WizardState, 'drives' | 'showAllDrives' | 'mode' | 'cloneSourcePath'>): Drive[] {
  // A clone's source is never a target: it is not offered at all.
  const drives = s.mode === 'clone' ? s.drives.filter((d) => d.device !== s.cloneSourcePath) : s.drives;
  return s.showAllDrives ? drives : drives.filter((d) => !d.system && !d.virtual);
}

/** Drives the clone flow offers as its source: sticks (and, under "show all drives", loop devices), never the system disk. */
export function cloneSourceDrives(s: Pick<WizardState, 'drives' | 'showAllDrives'>): Drive[] {
  return s.drives.filter((d) => !d.system && (s.showAllDrives || !d.virtual));
}

/** Drives whose mount points hold the bundle folder or image file (never a target). */
export function sourceDevicesOf(s: Pick<WizardState, 'drives' | 'source'>): string[] {
  return sourceDevices(s.drives, s.source);
}

function sourceDevices(drives: Drive[], source: SourceView | null): string[] {
  if (!source) return [];
  const at = sourceLocation(source);
  return drives
    .filter((d) => d.mountpoints.some((m) => m.path !== '/' && (at === m.path || at.startsWith(`${m.path}/`))))
    .map((d) => d.device);
}

/** The shared drive rules (src-shared/drives) plus what only the plan knows: whether the layout fits. */
export function driveVerdict(drive: Drive, s: Pick<WizardState, 'plans' | 'source' | 'drives' | 'mode' | 'cloneSource'>): DriveVerdict {
  const clone = s.mode === 'clone';
  // A clone is planned by the helper from the profile the source carries (it refuses what does not fit before
  // writing); here only a raw clone's size is known: the source's used extent.
  const plan = clone ? undefined : s.plans[drive.id];
  const requiredBytes = clone ? (s.cloneSource && !s.cloneSource.iios ? s.cloneSource.usedBytes : 0) : plan?.status === 'error' && plan.minBytes !== null ? plan.minBytes : 0;
  const sources = clone ? (s.cloneSource ? [s.cloneSource.path] : []) : sourceDevices(s.drives, s.source);
  // A mounted drive is unmounted from iios first (its row's Unmount button), never erased while in use.
  const issues = driveIssues(drive, { requiredBytes, sourceDevices: sources, unmountAllowed: false });
  const badges: Badge[] = issues.map((i) => ({
    code: i.code,
    text: t(BADGE_TEXT[i.code]),
    tone: i.blocking ? 'danger' : i.code === 'virtual' ? 'info' : 'warn',
    detail: i.message,
  }));
  let reason = issues.find((i) => i.blocking)?.message ?? null;
  if (!reason && !drive.system && plan?.status === 'error') {
    // The planner refused for another reason than size (or without saying the size): still not selectable.
    badges.unshift({ code: 'no-fit', text: t('badge.noFit'), tone: 'danger', detail: plan.reason });
    reason = plan.reason;
  }
  return { selectable: reason === null, reason, badges };
}


export function chosenTargets(s: WizardState): ChosenTarget[] {
  const targets: ChosenTarget[] = [];
  for (const d of s.drives) {
    if (!s.selectedDrives.includes(d.id)) continue;
    const plan = s.plans[d.id];
    targets.push({
      key: d.id,
      kind: 'device',
      label: driveMake(d),
      path: d.device,
      sizeBytes: d.sizeBytes,
      drive: d,
      plan: plan?.status === 'ok' ? plan.plan : null,
    });
  }
  const img = s.imageTarget;
  if (img.enabled) {
    const plan = s.plans[IMAGE_FILE_KEY];
    targets.push({
      key: IMAGE_FILE_KEY,
      kind: 'image-file',
      label: img.path ? baseName(img.path) : t('targets.imageFileLabel'),
      path: img.path.trim(),
      sizeBytes: img.sizeBytes,
      drive: null,
      plan: plan?.status === 'ok' ? plan.plan : null,
    });
  }
  return targets;
}

export function targetNames(s: WizardState): { ok: true; names: string[] } | { ok: false; reason: string } {
  try {
    return { ok: true, names: expandNames(s.namePattern.trim(), chosenTargets(s).length, s.firstNumber) };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

export function currentProfile(s: Pick<WizardState, 'profiles' | 'profileId'>) {
  return s.profiles.find((p) => p.id === s.profileId) ?? null;
}

/** Whether the user may go on from a step, and if not, what to do. */
export function stepReady(s: WizardState, step: StepId): { ok: true } | { ok: false; hint: string } {
  switch (step) {
    case 'start':
      return { ok: true };
    case 'sticks':
      return updateSticksReady(s);
    case 'system':
      return updateSystemReady(s);
    case 'files':
      return s.payload.length > 0 ? { ok: true } : { ok: false, hint: t('hint.addPayload') };
    case 'source':
      if (s.cloneSourceLoading) return { ok: false, hint: t('hint.readingSource') };
      if (!s.cloneSource) return { ok: false, hint: s.cloneSourceError ? 'Choose a source that can be read.' : 'Choose the stick (or image file) to clone.' };
      return { ok: true };
    case 'profile':
      return s.profileId ? { ok: true } : { ok: false, hint: t('hint.chooseProfile') };
    case 'image':
      if (s.sourceLoading) return { ok: false, hint: t('hint.checkingBundle') };
      if (!s.source) return { ok: false, hint: s.sourceError ? t('hint.chooseGoodBundle') : t('hint.chooseSource') };
      return { ok: true };
    case 'targets': {
      const targets = chosenTargets(s);
      if (targets.length === 0) return s.stationWanted ? { ok: true } : { ok: false, hint: t('hint.tickTarget') };
      const img = targets.find((t) => t.kind === 'image-file');
      if (img && !img.path.startsWith('/')) return { ok: false, hint: t('hint.fullPath') };
      // The helper's own rule for image-file names and places, said here before the password prompt.
      const pathProblem = img ? imageFilePathProblem(img.path) : null;
      if (pathProblem) return { ok: false, hint: pathProblem };
      // Its folder: there, a folder, the user's to write in, with room (drives.checkImageFolder).
      const folder = img ? imageFolderHint(s) : null;
      if (folder) return { ok: false, hint: folder === 'checking' ? t('imageFolder.checking') : folder };
      if (s.mode === 'clone') return cloneTargetsReady(s, targets);
      for (const target of targets) {
        const entry = s.plans[target.key];
        if (entry?.status === 'error') return { ok: false, hint: t('hint.targetProblem', { target: target.label, reason: entry.reason }) };
        if (!target.plan) return { ok: false, hint: t('hint.workingOut') };
      }
      return { ok: true };
    }
    case 'options': {
      const names = targetNames(s);
      if (!names.ok) return { ok: false, hint: names.reason };
      if (s.stationWanted && !hasCounter(s.namePattern.trim())) return { ok: false, hint: t('hint.stationCounter', { nn: '{nn}' }) };
      if (s.mode === 'write' && currentProfile(s)?.payload && s.payload.length === 0) return { ok: false, hint: t('hint.addPayload') };
      return stepReady(s, 'targets');
    }
    case 'caches': {
      const ready = cachesReady(s, chosenTargets(s));
      return ready.ok ? stepReady(s, 'options') : ready;
    }
    case 'review':
    case 'flash':
    case 'done':
      return { ok: true };
  }
}

/** A clone's targets: each a drive the rules allow, or an image file at least as big as a raw source's used extent. */
function cloneTargetsReady(s: WizardState, targets: ChosenTarget[]): { ok: true } | { ok: false; hint: string } {
  const source = s.cloneSource;
  if (!source) return { ok: false, hint: t('hint.chooseCloneSource') };
  for (const t of targets) {
    if (t.path === source.path) return { ok: false, hint: `${t.label} is the source: it cannot be a target too.` };
    if (t.drive) {
      const verdict = driveVerdict(t.drive, s);
      if (!verdict.selectable) return { ok: false, hint: `${t.label}: ${verdict.reason}` };
    } else if (!source.iios && t.sizeBytes < source.usedBytes) {
      return { ok: false, hint: `${t.label}: a raw clone needs at least ${formatBytes(source.usedBytes)}.` };
    }
  }
  return { ok: true };
}
