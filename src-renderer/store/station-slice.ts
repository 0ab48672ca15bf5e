// Station mode: after the first confirmation the wizard keeps flashing every stick plugged in that passes the
// safety rules, with the next name, until the teacher stops it. What counts as new, what is refused and what a
// re-plugged stick is, is decided by src-shared/station (tested there); this slice only feeds it the drive list,
// queues what it says to flash, and starts one job after another (one flash at a time, as everywhere).
// Also here: names that continue across batches, and the notification when a batch ends.
import { hasCounter, expandNames } from '../../src-shared/job/names.ts';
import { nextFirstNumber, recordWritten } from '../../src-shared/station/name-counter.ts';
import { rememberFlashed, startStation, stationLook, type FitVerdict } from '../../src-shared/station/station-drives.ts';
import { spreadOverRootHubs, usbPortOf } from '../../src-shared/drives/usb-port.ts';
import { t } from '../../src-shared/i18n/index.ts';
import { notifyBatchEnd } from '../platform/notify.ts';
import { buildStartRequest, requestFor } from './job-request.ts';
import { chosenTargets, sourceDevicesOf, type ChosenTarget } from './selectors.ts';
import type { FlashTarget, SliceCreator, StationSlice, WizardState } from './state.ts';
import type { Drive } from './types.ts';

const DONE_STATES = new Set<FlashTarget['state']>(['verified', 'written']);

function fitOf(s: WizardState, d: Drive): FitVerdict {
  const plan = s.plans[d.id];
  if (!plan || plan.status === 'loading') return { fits: 'unknown' };
  return plan.status === 'ok' ? { fits: true } : { fits: false, reason: plan.reason };
}

function asTarget(s: WizardState, d: Drive): ChosenTarget {
  const plan = s.plans[d.id];
  return { key: d.id, kind: 'device', label: d.description || d.device, path: d.device, sizeBytes: d.sizeBytes, drive: d, plan: plan?.status === 'ok' ? plan.plan : null };
}

export const createStationSlice: SliceCreator<StationSlice> = (set, get, api) => {
  let pumping = false;
  /** Starts the next job when the writer is free and sticks are waiting. */
  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      await pumpOnce();
    } finally {
      pumping = false;
    }
  }

  async function pumpOnce(): Promise<void> {
    if (!get().stationActive || get().flashBusy() || get().stationQueue.length === 0) return;
    // The last job's final notice can arrive before the services have let go of it: wait until they have.
    const current = await api.currentJob().catch(() => null);
    if (current && ['starting', 'running', 'cancelling'].includes(current.status)) {
      setTimeout(() => void pump(), 500);
      return;
    }
    const s = get();
    if (!s.stationActive || s.flashBusy() || s.stationQueue.length === 0) return;
    const byId = new Map(s.drives.map((d) => [d.id, d]));
    // Sticks pulled while they waited are dropped; the rest are spread over the root hubs (USB controllers).
    const drives = spreadOverRootHubs(
      s.stationQueue.map((id) => byId.get(id)).filter((d): d is Drive => !!d),
      (d) => usbPortOf(d.devicePath),
    );
    set({ stationQueue: [] });
    if (drives.length === 0) return;
    const pattern = s.namePattern.trim();
    const names = expandNames(pattern, drives.length, s.stationNextNumber);
    let memory = s.stationMemory!;
    drives.forEach((d, i) => (memory = rememberFlashed(memory, d, names[i]!)));
    set({ stationMemory: memory, stationNextNumber: s.stationNextNumber + drives.length });
    const built = requestFor(
      get(),
      drives.map((d) => asTarget(get(), d)),
      names,
    );
    if (!built.ok) return keepFailed(drives.map((d, i) => failedRow(d, names[i]!, built.reason)));
    // Sticks plugged in after the station started: only those passing every rule, so never one to unmount.
    const r = await get().launchFlash({ ...built.request, unmountIfMounted: false }, built.targets);
    if (!r.ok) keepFailed(built.targets.map((t) => ({ ...t, state: 'failed', message: r.reason })));
  }

  function keepFailed(rows: FlashTarget[]): void {
    set({ stationRows: [...get().stationRows, ...rows], step: 'flash', flashError: null });
    void pump();
  }

  function failedRow(d: Drive, hostname: string, message: string): FlashTarget {
    return { id: d.device, key: d.id, kind: 'device', label: d.description || d.device, path: d.device, hostname, phase: null, fraction: 0, secondsLeft: null, speedBps: 0, history: [], state: 'failed', message };
  }

  return {
    stationWanted: false,
    stationActive: false,
    stationMemory: null,
    stationQueue: [],
    stationRows: [],
    stationNotes: [],
    stationNextNumber: 1,
    writtenNumbers: {},
    soundOnDone: false,
    setStationWanted(on) {
      set({ stationWanted: on });
    },
    setSoundOnDone(on) {
      set({ soundOnDone: on });
    },
    async startStation() {
      const s = get();
      if (s.flashBusy()) return { ok: false, reason: t('station.busy') };
      if (!hasCounter(s.namePattern.trim())) return { ok: false, reason: t('station.noCounter', { pattern: s.namePattern }) };
      const chosen = chosenTargets(s);
      // Every drive plugged in now is left alone, except those ticked for this first batch.
      set({
        stationActive: true,
        stationMemory: startStation(s.drives),
        stationQueue: [],
        stationRows: [],
        stationNotes: [],
        stationNextNumber: s.firstNumber + chosen.length,
      });
      requestNotificationPermission();
      if (chosen.length === 0) {
        set({ flashStatus: 'idle', flashTargets: [], flashBatch: null, flashError: null, step: 'flash' });
        return { ok: true };
      }
      const built = buildStartRequest(get());
      if (!built.ok) {
        set({ stationActive: false });
        return built;
      }
      let memory = get().stationMemory!;
      chosen.forEach((t, i) => t.drive && (memory = rememberFlashed(memory, t.drive, built.targets[i]!.hostname)));
      set({ stationMemory: memory });
      const r = await get().launchFlash(built.request, built.targets);
      if (!r.ok) set({ stationActive: false });
      return r;
    },
    stopStation() {
      set({ stationActive: false, stationQueue: [], stationNotes: [] });
      if (!get().flashBusy()) finishStation();
    },
    stationLookAtDrives() {
      const s = get();
      if (!s.stationActive || !s.stationMemory) return;
      const { memory, arrivals } = stationLook(s.stationMemory, s.drives, {
        sourceDevices: sourceDevicesOf(s),
        includeVirtual: s.showAllDrives,
        fit: (d) => fitOf(get(), d),
      });
      const queue = [...s.stationQueue];
      const notes = s.stationNotes.filter((n) => s.drives.some((d) => d.id === n.driveId));
      for (const a of arrivals) {
        const label = a.drive.description || a.drive.device;
        if (a.decision === 'flash') queue.push(a.drive.id);
        else if (a.decision === 'replugged') notes.push({ driveId: a.drive.id, label, kind: 'replugged', text: t('station.replugged', { name: a.previousName }) });
        else notes.push({ driveId: a.drive.id, label, kind: 'refused', text: a.reason });
      }
      set({ stationMemory: memory, stationQueue: queue, stationNotes: notes });
      void pump();
    },
    flashAgain(driveId) {
      set({ stationNotes: get().stationNotes.filter((n) => n.driveId !== driveId), stationQueue: [...get().stationQueue, driveId] });
      void pump();
    },
    dismissNote(driveId) {
      set({ stationNotes: get().stationNotes.filter((n) => n.driveId !== driveId) });
    },
    jobEnded() {
      const s = get();
      const pattern = s.namePattern.trim();
      const written = s.flashTargets.filter((t) => DONE_STATES.has(t.state)).map((t) => t.hostname);
      const writtenNumbers = recordWritten(s.writtenNumbers, pattern, written);
      set({ writtenNumbers, firstNumber: nextFirstNumber(writtenNumbers, pattern, s.firstNumber) });
      notifyBatchEnd(written.length, s.flashTargets.length - written.length, s.soundOnDone);
      if (s.stationActive) {
        // The finished rows stay on view; the writer is free for the next sticks.
        set({ stationRows: [...s.stationRows, ...s.flashTargets], flashTargets: [], flashBatch: null, flashStatus: 'idle', jobId: null });
        set({ stationNextNumber: Math.max(get().stationNextNumber, get().firstNumber) });
        void pump();
      } else if (s.stationRows.length) {
        finishStation();
      }
    },
  };

  /** The station stopped and the writer is free: every stick it made goes to the done step. */
  function finishStation(): void {
    const s = get();
    set({ flashTargets: [...s.stationRows, ...s.flashTargets], stationRows: [], stationMemory: null, flashStatus: 'finished', step: 'done' });
  }
};

function requestNotificationPermission(): void {
  // Asked on the teacher's click, when a browser still needs to ask; the Electron window may always notify.
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission().catch(() => {});
}
