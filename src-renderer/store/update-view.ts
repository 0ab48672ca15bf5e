// What the update flow shows, derived from the store: the sticks it offers (with what each holds), whether each
// ticked one can be updated, the new system's sizes, and per stick which slot gets it and whether it fits there
// (the helper's own rule, src-shared/stick/update-fit.ts, said before the job starts).
import { driveMake } from '../../src-shared/drives/drive-label.ts';
import { t } from '../../src-shared/i18n/index.ts';
import { updateFit, type UpdateFit } from '../../src-shared/stick/update-fit.ts';
import type { StickAb } from '../../src-shared/contract/domains/sticks.ts';
import { baseName } from './format.ts';
import type { StickInfoEntry, UpdateSource, WizardState } from './state.ts';
import type { Drive, StickSourceView } from './types.ts';

export interface UpdateCandidate {
  path: string;
  label: string;
  drive: Drive | null;
  entry: StickInfoEntry | undefined;
}

/** Sticks the update flow offers: plugged-in drives (loop devices under "show all drives"), then added image files. */
export function updateCandidates(s: Pick<WizardState, 'drives' | 'showAllDrives' | 'updateFiles' | 'stickInfos'>): UpdateCandidate[] {
  const drives = s.drives.filter((d) => !d.system && (s.showAllDrives || !d.virtual));
  return [
    ...drives.map((d) => ({ path: d.device, label: driveMake(d), drive: d, entry: s.stickInfos[d.device] })),
    ...s.updateFiles.map((p) => ({ path: p, label: baseName(p), drive: null, entry: s.stickInfos[p] })),
  ];
}

export type Updatable = { ok: true; info: StickSourceView; ab: StickAb } | { ok: false; reason: string };

/** Whether a stick can take an update: a complete iios stick with A/B slots. */
export function updatable(entry: StickInfoEntry | undefined): Updatable {
  if (!entry || entry.status === 'loading') return { ok: false, reason: t('update.reading') };
  if (entry.status === 'error') return { ok: false, reason: t('update.unreadable', { reason: entry.reason }) };
  const info = entry.info;
  if (!info.iios) return { ok: false, reason: t('update.notIios') };
  if (!info.ab) return { ok: false, reason: t('update.noSlots', { profile: info.iios.profile }) };
  return { ok: true, info, ab: info.ab };
}

/** Whether a stick's payload can be replaced: a complete iios stick with a payload partition (kiosk). */
export function payloadable(entry: StickInfoEntry | undefined): { ok: true; info: StickSourceView; payload: NonNullable<StickSourceView['payload']> } | { ok: false; reason: string } {
  if (!entry || entry.status === 'loading') return { ok: false, reason: t('update.reading') };
  if (entry.status === 'error') return { ok: false, reason: t('update.unreadable', { reason: entry.reason }) };
  const info = entry.info;
  if (!info.iios) return { ok: false, reason: t('update.notIios') };
  if (!info.payload) return { ok: false, reason: t('payload.notKiosk', { profile: info.iios.profile }) };
  return { ok: true, info, payload: info.payload };
}

/** What the sticks step of a mode asks of a stick: a new system needs A/B slots, a new payload a payload partition. */
export function stickFits(mode: WizardState['mode'], entry: StickInfoEntry | undefined): { ok: true } | { ok: false; reason: string } {
  const u = mode === 'payload' ? payloadable(entry) : updatable(entry);
  return u.ok ? { ok: true } : u;
}

export interface UpdateContentView {
  name: string;
  version: string;
  rootfsBytes: number | null;
  verityBytes: number | null;
}

export function updateContent(source: UpdateSource | null): UpdateContentView | null {
  if (!source) return null;
  if (source.kind === 'bundle') return { name: source.bundle.name, version: source.bundle.version, rootfsBytes: source.bundle.rootfsBytes ?? null, verityBytes: source.bundle.verityBytes ?? null };
  const newest = source.info.ab?.newest;
  return newest ? { name: newest.bundle, version: newest.version, rootfsBytes: newest.rootfsBytes, verityBytes: null } : null;
}

export interface StickUpdatePlan {
  active: StickAb['slots'][number] | undefined;
  inactive: StickAb['slots'][number] | undefined;
  /** null when the new system's size is not known (the helper still checks it) */
  fit: UpdateFit | null;
}

/** Which slot an update writes on this stick, what stays as the fallback, and whether the new system fits. */
export function stickUpdatePlan(ab: StickAb, content: UpdateContentView): StickUpdatePlan {
  const active = ab.slots.find((x) => x.slot === ab.active);
  const inactive = ab.slots.find((x) => x.slot === ab.inactive);
  const fit = inactive && content.rootfsBytes !== null ? updateFit({ rootBytes: inactive.rootBytes, verityBytes: inactive.verityBytes }, { rootfsBytes: content.rootfsBytes, verityBytes: content.verityBytes }) : null;
  return { active, inactive, fit };
}

/** The sticks ticked for the update, in the order of the list. */
export function chosenUpdateSticks(s: Pick<WizardState, 'drives' | 'showAllDrives' | 'updateFiles' | 'stickInfos' | 'updateTargets'>): UpdateCandidate[] {
  return updateCandidates(s).filter((c) => s.updateTargets.includes(c.path));
}

export function updateSticksReady(s: WizardState): { ok: true } | { ok: false; hint: string } {
  const chosen = chosenUpdateSticks(s);
  if (chosen.length === 0) return { ok: false, hint: s.mode === 'payload' ? t('hint.tickKiosk') : t('hint.tickStick') };
  if (s.mode === 'payload' && chosen.length > 1) return { ok: false, hint: t('hint.tickKiosk') };
  for (const c of chosen) {
    const u = stickFits(s.mode, c.entry);
    if (!u.ok) return { ok: false, hint: c.entry?.status === 'ok' || c.entry?.status === 'error' ? t('hint.stickCannotUpdate', { stick: c.label, reason: u.reason }) : t('hint.readingSticks') };
  }
  return { ok: true };
}

export function updateSystemReady(s: WizardState): { ok: true } | { ok: false; hint: string } {
  if (s.updateSourceLoading) return { ok: false, hint: t('hint.checkingBundle') };
  if (!s.updateSource) return { ok: false, hint: t('hint.chooseSystem') };
  if (s.updateSource.kind === 'stick' && s.updateTargets.includes(s.updateSource.path)) return { ok: false, hint: t('hint.systemIsTarget', { stick: s.updateSource.path }) };
  return { ok: true };
}
