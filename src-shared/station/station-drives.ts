// Station mode decides, each time the drive list changes, which sticks just arrived and whether to flash them.
// Pure, so it is tested as tables and the same rules serve the GUI's station and any other front end.
// A stick is flashed without asking only when it is new since the station started, passes every safety rule
// (removable, not a system drive, not the source, not mounted, not read-only, big enough) and has not been
// flashed by this station before: a stick pulled and plugged back in is recognised (by serial, or a loop
// device's backing file) and the teacher is asked instead.
import type { Drive } from '../contract/domains/drives.ts';
import { driveIssues } from '../drives/drive-rules.ts';
import { t } from '../i18n/index.ts';

/** What is known about whether the chosen layout fits a drive (the planner answers asynchronously). */
export type FitVerdict = { fits: 'unknown' } | { fits: true } | { fits: false; reason: string };

export interface StationContext {
  /** Devices holding the image source. */
  sourceDevices: string[];
  /** Whether virtual devices (loop devices) count; off unless the user shows all drives. */
  includeVirtual: boolean;
  fit(drive: Drive): FitVerdict;
}

export interface StationMemory {
  /** Drive ids present when the station last looked: only a drive not among them has arrived. */
  present: readonly string[];
  /** Arrived drives whose fit was still unknown: looked at again next time. */
  waiting: readonly string[];
  /** Identity → name of every stick this station has flashed. */
  flashed: Readonly<Record<string, string>>;
}

export type Arrival =
  | { drive: Drive; decision: 'flash' }
  | { drive: Drive; decision: 'replugged'; previousName: string }
  | { drive: Drive; decision: 'refused'; reason: string };

/**
 * What makes a stick the same stick after it is pulled and plugged back in: its serial number; for a loop
 * device, the file behind it; without either, vendor, model and size (the device node changes on a re-plug).
 */
export function driveIdentity(d: Drive): string {
  if (d.serial) return `serial:${d.serial}`;
  if (d.backingFile) return `file:${d.backingFile}`;
  return `guess:${d.vendor ?? ''}|${d.model ?? ''}|${d.description}|${d.sizeBytes}`;
}

/** Why the station must not flash this drive by itself (stricter than a ticked drive: a mounted one is refused, not unmounted). */
export function stationRefusal(d: Drive, ctx: Omit<StationContext, 'fit'>): string | null {
  if (d.virtual && !ctx.includeVirtual) return t('station.refuseVirtual');
  if (!d.removable && !d.virtual) return t('station.refuseFixed');
  const blocking = driveIssues(d, { sourceDevices: ctx.sourceDevices, unmountAllowed: false }).find((i) => i.blocking);
  return blocking?.message ?? null;
}

/** The memory of a station that starts now: every drive already plugged in is left alone. */
export function startStation(drives: readonly Drive[], alreadyFlashed: Readonly<Record<string, string>> = {}): StationMemory {
  return { present: drives.map((d) => d.id), waiting: [], flashed: { ...alreadyFlashed } };
}

/** Looks at the current drive list: which drives arrived and what to do with each. */
export function stationLook(memory: StationMemory, drives: readonly Drive[], ctx: StationContext): { memory: StationMemory; arrivals: Arrival[] } {
  const present = new Set(memory.present);
  const waiting = new Set(memory.waiting);
  const arrivals: Arrival[] = [];
  const stillWaiting: string[] = [];
  for (const d of drives) {
    if (present.has(d.id) && !waiting.has(d.id)) continue;
    const refusal = stationRefusal(d, ctx);
    const previousName = memory.flashed[driveIdentity(d)];
    if (previousName !== undefined && !refusal) {
      arrivals.push({ drive: d, decision: 'replugged', previousName });
      continue;
    }
    if (refusal) {
      arrivals.push({ drive: d, decision: 'refused', reason: refusal });
      continue;
    }
    const fit = ctx.fit(d);
    if (fit.fits === 'unknown') stillWaiting.push(d.id);
    else if (fit.fits) arrivals.push({ drive: d, decision: 'flash' });
    else arrivals.push({ drive: d, decision: 'refused', reason: fit.reason });
  }
  return { memory: { ...memory, present: drives.map((d) => d.id), waiting: stillWaiting }, arrivals };
}

/** Remembers that the station gave this stick a name (so a re-plug asks before flashing it again). */
export function rememberFlashed(memory: StationMemory, drive: Drive, name: string): StationMemory {
  return { ...memory, flashed: { ...memory.flashed, [driveIdentity(drive)]: name } };
}
