// The flash job: started from the chosen targets, then fed by the pushed jobs.event notices (each carries the
// job's snapshot after the event). Only one flash at a time: startFlash refuses while one is starting,
// running or cancelling — here in the store, whatever the buttons show. The progress of each row and of the
// batch is the snapshot's (computed once by the services, src-shared/progress): copied, never recomputed.
// A job that could not get administrator rights keeps its typed reason (flashErrorDetails), and retryFlash starts
// the same request again, so a dismissed password prompt is one click away from a second try.
import { driveMake } from '../../src-shared/drives/drive-label.ts';
import { ejectSentence, type EjectKind } from '../../src-shared/drives/eject-kind.ts';
import { detailsWords } from '../../src-shared/errors/error-words.ts';
import { failureWords } from '../../src-shared/errors/failure-words.ts';
import { t } from '../../src-shared/i18n/index.ts';
import { errorText } from './error-text.ts';
import { imageFolderHint } from './image-folder-slice.ts';
import { buildCloneRequest, buildPayloadRequest, buildStartRequest, buildUpdateRequest } from './job-request.ts';
import type { FlashSlice, FlashTarget, SliceCreator } from './state.ts';
import type { JobNotice, JobSnapshotView, StartedJob } from './types.ts';

/** Why a second flash is refused while one runs, in the reader's language. */
export const busyReason = (): string => t('station.busy');
const FINAL_JOB = new Set<JobSnapshotView['status']>(['done', 'failed', 'cancelled']);

export const createFlashSlice: SliceCreator<FlashSlice> = (set, get, api) => {
  /** Notices that arrive before jobs.start has answered with the job id. */
  let early: JobNotice[] = [];
  /** The last job started (a write or a clone) and its rows: what "Try again" starts again, nothing re-entered. */
  let last: { start: () => Promise<StartedJob>; targets: FlashTarget[] } | null = null;

  function fold(notice: JobNotice): void {
    const byId = new Map(notice.snapshot.targets.map((t) => [t.id, t]));
    const flashTargets = get().flashTargets.map((row) => {
      const t = byId.get(row.id);
      if (!t) return row;
      return { ...row, ...fromSnapshot(t, notice.snapshot), hostname: t.hostname || row.hostname };
    });
    const flashBatch = notice.snapshot.progress.batch;
    const kind = notice.event.kind;
    if (kind === 'done' || kind === 'error' || FINAL_JOB.has(notice.snapshot.status)) {
      // A dismissed prompt ends the job cancelled, without an error event: its reason is the snapshot's, its
      // advice the message the services gave every target.
      const details = notice.snapshot.errorDetails ?? (notice.event.kind === 'error' ? notice.event.details : undefined) ?? null;
      const said =
        notice.snapshot.error ??
        (notice.event.kind === 'error' ? notice.event.message : null) ??
        (details ? (notice.snapshot.targets.find((t) => t.message)?.message ?? null) : null);
      // The typed reason in the reader's words; a helper's own failure keeps the helper's message (its log's words).
      const error = details && !(details.kind === 'elevation' && details.reason === 'helper-failed') ? detailsWords(details, said ?? '') : said;
      set({
        flashStatus: 'finished',
        flashError: error,
        flashErrorDetails: details,
        flashBatch,
        flashLogPath: notice.snapshot.logPath ?? null,
        // A target the job never finished is not "written": show it as failed with the job's error.
        flashTargets: flashTargets.map((row) =>
          row.state === 'pending' || row.state === 'writing' || row.state === 'verifying'
            ? { ...row, state: 'failed', secondsLeft: null, message: row.message ?? error ?? t('error.writerStopped') }
            : row,
        ),
        // A running station stays on the flash view and waits for the next stick.
        step: get().stationActive ? 'flash' : 'done',
      });
      get().jobEnded();
      return;
    }
    set({ flashTargets, flashBatch, flashStatus: get().flashStatus === 'starting' ? 'running' : get().flashStatus });
  }

  /** Starts a job (the one flash at a time is checked by the callers) and remembers it for "Try again". */
  async function launch(start: () => Promise<StartedJob>, targets: FlashTarget[]): Promise<{ ok: true } | { ok: false; reason: string }> {
    early = [];
    last = { start, targets };
    set({ flashStatus: 'starting', jobId: null, flashError: null, flashErrorDetails: null, ejected: {}, flashTargets: targets, flashBatch: null, step: 'flash' });
    try {
      const started = await start();
      const byPath = new Map(started.targets.map((t) => [t.path, t]));
      set({
        jobId: started.jobId,
        flashTargets: get().flashTargets.map((row) => {
          const t = byPath.get(row.path);
          return t ? { ...row, id: t.id, hostname: t.hostname || row.hostname } : row;
        }),
      });
      const pending = early.filter((n) => n.jobId === started.jobId);
      early = [];
      for (const n of pending) if (get().flashStatus !== 'finished') fold(n);
      return { ok: true };
    } catch (err) {
      const reason = errorText(err);
      set({ flashStatus: 'idle', flashError: reason, flashTargets: [], step: 'review' });
      return { ok: false, reason };
    }
  }

  return {
    flashStatus: 'idle',
    jobId: null,
    flashTargets: [],
    flashBatch: null,
    flashError: null,
    flashErrorDetails: null,
    flashLogPath: null,
    ejected: {},
    flashBusy() {
      const s = get().flashStatus;
      return s === 'starting' || s === 'running' || s === 'cancelling';
    },
    async startFlash() {
      if (get().flashBusy()) return { ok: false, reason: busyReason() };
      if (get().mode === 'payload') {
        const payload = buildPayloadRequest(get());
        if (!payload.ok) return payload;
        return launch(() => api.startPayload(payload.request), payload.targets);
      }
      if (get().mode === 'update') {
        const update = buildUpdateRequest(get());
        if (!update.ok) return update;
        return launch(() => api.startUpdate(update.request), update.targets);
      }
      // Not only the disabled buttons: an image file whose folder cannot take it is refused here too.
      const folder = imageFolderHint(get());
      if (folder) {
        const reason = folder === 'checking' ? t('imageFolder.checking') : folder;
        set({ flashError: reason });
        return { ok: false, reason };
      }
      if (get().mode === 'clone') {
        const clone = buildCloneRequest(get());
        if (!clone.ok) return clone;
        return launch(() => api.startClone(clone.request), clone.targets);
      }
      const built = buildStartRequest(get());
      if (!built.ok) return built;
      return launch(() => api.startJob(built.request), built.targets);
    },
    async launchFlash(request, targets) {
      if (get().flashBusy()) return { ok: false, reason: busyReason() };
      return launch(() => api.startJob(request), targets);
    },
    async retryFlash() {
      if (get().flashBusy()) return { ok: false, reason: busyReason() };
      if (!last) return { ok: false, reason: t('flash.noRetry') };
      return launch(last.start, last.targets);
    },
    async cancelFlash() {
      const { flashStatus } = get();
      if (flashStatus !== 'running' && flashStatus !== 'starting') return;
      set({ flashStatus: 'cancelling' });
      try {
        await api.cancelJob();
      } catch (err) {
        if (get().flashStatus === 'cancelling') set({ flashStatus: 'running', flashError: t('flash.cancelFailed', { error: errorText(err) }) });
      }
    },
    applyJobNotice(notice) {
      const { jobId, flashStatus } = get();
      if (flashStatus === 'starting' && jobId === null) {
        early.push(notice);
        return;
      }
      if (notice.jobId !== jobId || flashStatus === 'finished' || flashStatus === 'idle') return;
      fold(notice);
    },
    async resumeJob() {
      let snap: JobSnapshotView | null;
      try {
        snap = await api.currentJob();
      } catch {
        return;
      }
      if (!snap || get().flashStatus !== 'idle' || FINAL_JOB.has(snap.status)) return;
      set({
        jobId: snap.jobId,
        flashStatus: snap.status === 'cancelling' ? 'cancelling' : 'running',
        flashBatch: snap.progress.batch,
        flashTargets: snap.targets.map((t) => {
          const drive = get().drives.find((d) => d.device === t.path);
          return {
            id: t.id,
            key: drive?.id ?? t.path,
            kind: drive ? 'device' : 'image-file',
            label: drive ? driveMake(drive) : t.path.split('/').pop() || t.path,
            path: t.path,
            hostname: t.hostname,
            ...fromSnapshot(t, snap),
          } satisfies FlashTarget;
        }),
        step: 'flash',
      });
    },
    async ejectTarget(key) {
      set({ ejected: { ...get().ejected, [key]: 'ejecting' } });
      try {
        const r = await api.eject(key);
        set({ ejected: { ...get().ejected, [key]: r.ejected ? { done: ejectWords(r) ?? t('eject.done') } : { error: ejectWords(r) ?? t('eject.notOff') } } });
      } catch (err) {
        set({ ejected: { ...get().ejected, [key]: { error: errorText(err) } } });
      }
    },
    flashMore() {
      if (get().flashBusy()) return;
      // The sticks just updated hold something else now: they are read again.
      const inPlace = get().mode === 'update' || get().mode === 'payload';
      if (inPlace) for (const row of get().flashTargets) get().rereadStick(row.path);
      set({ flashStatus: 'idle', jobId: null, flashTargets: [], flashBatch: null, flashError: null, flashErrorDetails: null, ejected: {}, step: inPlace ? 'sticks' : 'targets' });
    },
  };
};

type SnapshotTarget = JobSnapshotView['targets'][number];

/** What eject did, in the reader's words from the kind and count the service sends (its `said` is the main process's). */
export function ejectWords(r: { ejected: boolean; said?: string; kind?: EjectKind; unmounted?: number }): string | null {
  return r.kind ? ejectSentence(r.kind, r.ejected, r.unmounted ?? 0) : null;
}

/** A row's progress as the snapshot has it: the services' stage, fraction, time left and phase history. */
function fromSnapshot(
  t: SnapshotTarget,
  snap: JobSnapshotView,
): Pick<FlashTarget, 'phase' | 'fraction' | 'secondsLeft' | 'speedBps' | 'history' | 'state' | 'message'> {
  const p = snap.progress.targets.find((x) => x.targetId === t.id);
  return {
    phase: p?.phase ?? t.phase,
    fraction: p?.fraction ?? 0,
    secondsLeft: p?.secondsLeft ?? null,
    speedBps: p?.speedBps ?? 0,
    history: p?.history ?? [],
    state: p?.stage ?? 'pending',
    // the helper's typed failure in the reader's language; its English sentence when it sent none
    message: t.message === null && !t.failure ? null : failureWords(t.failure, t.message ?? ''),
  };
}
