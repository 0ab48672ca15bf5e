// Turns the wizard's choices into the contract's write request (the one `iios write` builds from its flags) and
// the rows shown while it runs.
import { t } from '../../src-shared/i18n/index.ts';
import { numberInName } from '../../src-shared/station/name-counter.ts';
import { chosenTargets, targetNames, type ChosenTarget } from './selectors.ts';
import type { FlashTarget, WizardState } from './state.ts';
import type { CloneRequest, PayloadRequest, UpdateRequest, WriteRequest } from './types.ts';
import { chosenUpdateSticks, payloadable, updatable } from './update-view.ts';

export function buildStartRequest(
  s: WizardState,
): { ok: true; request: WriteRequest; targets: FlashTarget[] } | { ok: false; reason: string } {
  if (!s.profileId) return { ok: false, reason: t('request.noProfile') };
  if (!s.source) return { ok: false, reason: t('request.noSource') };
  const chosen = chosenTargets(s);
  if (chosen.length === 0) return { ok: false, reason: t('request.noTarget') };
  const names = targetNames(s);
  if (!names.ok) return { ok: false, reason: names.reason };
  return requestFor(s, chosen, names.names);
}

/** The request for these targets with these names (the station names its sticks itself, one batch after another). */
export function requestFor(
  s: WizardState,
  chosen: ChosenTarget[],
  names: string[],
): { ok: true; request: WriteRequest; targets: FlashTarget[] } | { ok: false; reason: string } {
  if (!s.profileId) return { ok: false, reason: t('request.noProfile') };
  if (!s.source) return { ok: false, reason: t('request.noSource') };
  const first = numberInName(s.namePattern.trim(), names[0] ?? '') ?? s.firstNumber;
  const targets = flashRows(chosen, names);
  const caches = (s.availableCaches ?? []).filter((c) => s.caches.includes(c.path)).map((c) => ({ kind: c.kind, path: c.path }));
  return {
    ok: true,
    targets,
    request: {
      profileId: s.profileId,
      ...(s.source.kind === 'bundle' ? { bundleDir: s.source.dir } : { imagePath: s.source.path }),
      // A device's size is its own; only a new image file is given one.
      targets: chosen.map((t) => (t.kind === 'image-file' ? { path: t.path, sizeBytes: t.sizeBytes } : { path: t.path })),
      namePattern: s.namePattern.trim(),
      firstNumber: first,
      payload: s.payload,
      caches,
      // the set's file, as `iios write --cache-set FILE` names it; the job service checks it is built and fits
      ...(s.mode === 'write' && s.cacheSetFile ? { cacheSet: s.cacheSetFile } : {}),
      // The review step lists mounted drives as "will be unmounted"; confirming it is the user's consent.
      unmountIfMounted: chosen.some((t) => (t.drive?.mountpoints.length ?? 0) > 0),
      verify: true,
      ...(s.capacityCheck ? { capacityCheck: true } : {}),
      ...(s.persistence !== null ? { persistence: s.persistence } : {}),
    },
  };
}

/** The clone the wizard's choices ask for: the source stick onto the chosen targets, named from the pattern. */
export function buildCloneRequest(
  s: WizardState,
): { ok: true; request: CloneRequest; targets: FlashTarget[] } | { ok: false; reason: string } {
  if (!s.cloneSource) return { ok: false, reason: t('request.noCloneSource') };
  const chosen = chosenTargets(s);
  if (chosen.length === 0) return { ok: false, reason: t('request.noTarget') };
  if (chosen.some((t) => t.path === s.cloneSource!.path)) return { ok: false, reason: t('request.sourceIsTarget') };
  const names = targetNames(s);
  if (!names.ok) return { ok: false, reason: names.reason };
  return {
    ok: true,
    targets: flashRows(chosen, names.names),
    request: {
      sourcePath: s.cloneSource.path,
      targets: chosen.map((t) => (t.kind === 'image-file' ? { path: t.path, sizeBytes: t.sizeBytes } : { path: t.path })),
      namePattern: s.namePattern.trim(),
      firstNumber: s.firstNumber,
      fresh: s.cloneFresh,
      unmountIfMounted: chosen.some((t) => (t.drive?.mountpoints.length ?? 0) > 0),
      verify: true,
      ...(s.capacityCheck ? { capacityCheck: true } : {}),
    },
  };
}

/** The update the wizard's choices ask for: the new system into the spare slot of each ticked stick. */
export function buildUpdateRequest(
  s: WizardState,
): { ok: true; request: UpdateRequest; targets: FlashTarget[] } | { ok: false; reason: string } {
  const source = s.updateSource;
  if (!source) return { ok: false, reason: t('hint.chooseSystem') };
  const chosen = chosenUpdateSticks(s);
  if (chosen.length === 0) return { ok: false, reason: t('hint.tickStick') };
  const targets: FlashTarget[] = chosen.map((c) => {
    const u = updatable(c.entry);
    return {
      id: c.path,
      key: c.drive?.id ?? c.path,
      kind: c.drive ? 'device' : 'image-file',
      label: c.label,
      path: c.path,
      hostname: u.ok ? (u.info.iios?.hostname ?? '') : '',
      phase: null,
      fraction: 0,
      secondsLeft: null,
      speedBps: 0,
      history: [],
      state: 'pending',
      message: null,
    };
  });
  return {
    ok: true,
    targets,
    request: {
      source: source.kind === 'bundle' ? { kind: 'bundle', dir: source.bundle.dir } : { kind: 'stick', path: source.path },
      targets: chosen.map((c) => ({ path: c.path })),
    },
  };
}

/** The new payload of the one kiosk stick ticked: these files replace the payload partition's content. */
export function buildPayloadRequest(
  s: WizardState,
): { ok: true; request: PayloadRequest; targets: FlashTarget[] } | { ok: false; reason: string } {
  const chosen = chosenUpdateSticks(s);
  if (chosen.length !== 1) return { ok: false, reason: t('hint.tickKiosk') };
  if (s.payload.length === 0) return { ok: false, reason: t('hint.addPayload') };
  const c = chosen[0]!;
  const u = payloadable(c.entry);
  return {
    ok: true,
    targets: [
      { id: c.path, key: c.drive?.id ?? c.path, kind: c.drive ? 'device' : 'image-file', label: c.label, path: c.path, hostname: u.ok ? (u.info.iios?.hostname ?? '') : '', phase: null, fraction: 0, secondsLeft: null, speedBps: 0, history: [], state: 'pending', message: null },
    ],
    request: { target: { path: c.path }, files: [...s.payload] },
  };
}

/** The rows shown while a job runs. Until the services answer, a row is known by its path; then by its id. */
function flashRows(chosen: ReturnType<typeof chosenTargets>, names: string[]): FlashTarget[] {
  return chosen.map((t, i) => ({
    id: t.path,
    key: t.key,
    kind: t.kind,
    label: t.label,
    path: t.path,
    hostname: names[i]!,
    phase: null,
    fraction: 0,
    secondsLeft: null,
    speedBps: 0,
    history: [],
    state: 'pending',
    message: null,
  }));
}
