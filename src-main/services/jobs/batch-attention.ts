// While a batch runs, the computer must not sleep (a suspended laptop leaves thirty half-written sticks) and
// the window's taskbar entry shows how far the batch is, for a teacher working in another window. Decided here
// from the pushed job notices, with the platform's means passed in (Electron's powerSaveBlocker and
// win.setProgressBar in the app), so the rule is tested in plain Node.
import type { JobNotice } from '../../../src-shared/contract/domains/jobs.ts';

export interface AttentionPorts {
  /** 0…1 while running; null removes the bar. */
  setProgress(fraction: number | null): void;
  /** Starts blocking sleep; returns a handle for stop. */
  blockSleep(): number;
  allowSleep(handle: number): void;
}

const RUNNING = new Set(['starting', 'running', 'cancelling']);

/** A listener for `jobs.event` notices; dispose() releases the sleep block if a job was still running. */
export function createBatchAttention(ports: AttentionPorts): { onNotice(notice: JobNotice): void; dispose(): void } {
  let handle: number | null = null;
  const release = () => {
    if (handle !== null) ports.allowSleep(handle);
    handle = null;
  };
  return {
    onNotice(notice) {
      if (RUNNING.has(notice.snapshot.status)) {
        if (handle === null) handle = ports.blockSleep();
        ports.setProgress(notice.snapshot.progress.batch.fraction);
      } else {
        release();
        ports.setProgress(null);
      }
    },
    dispose: release,
  };
}
