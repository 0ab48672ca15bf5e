// @vitest-environment jsdom
// The GUI and the CLI show the same progress for the same job: a recorded event stream of a real write (two image
// files) replayed through the job state, pushed to the wizard over the contract (it picks the job up as after a
// reload) and drawn by the CLI's bars; after every event both show the same percent per target and for the batch.
import { act, cleanup, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { barLine, batchLine, plainLine, ProgressView, targetRows } from '../../../src-main/cli/progress-view.ts';
import { percentOf } from '../../../src-shared/progress/display.ts';
import { recordedJob, replay } from '../fixtures/job-events/recorded-job.ts';
import { setupWizard } from './support/harness.tsx';

afterEach(cleanup);

const percentIn = (line: string) => Number(/\s(\d+)%/.exec(line)?.[1]);

describe('one recorded job, two displays', () => {
  it('shows the same percent per target and for the batch in the wizard and in the CLI after every event', async () => {
    const job = recordedJob('appliance-two-images');
    const { snapshots, notices } = replay(job);
    const w = setupWizard({ services: { job: snapshots[0] } });
    await waitFor(() => expect(w.store.getState().step).toBe('flash'));
    let tty = '';
    const view = new ProgressView({ write: (x) => void (tty += x), isTTY: true, columns: 120 }, () => 0);

    let compared = 0;
    for (const notice of notices) {
      act(() => w.fake.emit('jobs.event', notice));
      const cli = targetRows(notice.snapshot).map((r) => percentIn(barLine(r, 120, 30)));
      const cliBatch = percentIn(batchLine(notice.snapshot.progress.batch, 120, 30));
      const rows = w.store.getState().flashTargets;
      expect(rows.map((r) => percentOf(r.fraction)), `${notice.event.kind}`).toEqual(cli);
      expect(percentOf(w.store.getState().flashBatch!.fraction)).toBe(cliBatch);
      if (w.store.getState().step === 'flash') {
        // what the page draws: each bar's aria-valuenow, and the batch bar
        const bars = job.targets.map((t) => document.querySelector<HTMLElement>(`li.progress-row[data-target="${t.id}"] [role="progressbar"]`)!);
        expect(bars.map((b) => Number(b.getAttribute('aria-valuenow')))).toEqual(cli);
        expect(Number(document.querySelector('[data-testid="batch-bar"]')!.getAttribute('aria-valuenow'))).toBe(cliBatch);
        compared++;
      }
      view.update(notice.snapshot, true);
    }
    expect(compared).toBeGreaterThan(50);
    expect(w.store.getState().flashTargets.map((r) => [r.state, r.fraction])).toEqual([['verified', 1], ['verified', 1]]);
    // the CLI drew one bar per target plus the batch, each moving forward only
    const frames = tty.split('\x1b[2K').filter((l) => /\[[#-]+\]/.test(l));
    for (const label of ['class-01 /tmp/pg/a.img', 'class-02 /tmp/pg/b.img', 'all 2 targets']) {
      const pcts = frames.filter((l) => l.startsWith(label)).map(percentIn);
      expect(pcts.length).toBe(notices.length);
      expect(pcts, label).toEqual([...pcts].sort((a, b) => a - b));
      expect(pcts.at(-1)).toBe(100);
    }
  });

  it('keeps the phase history across a reload: the wizard that opens mid-job has every phase so far', async () => {
    const job = recordedJob('appliance-two-images');
    const { snapshots } = replay(job);
    const mid = snapshots.find((s) => s.progress.targets[0]!.phase === 'verify')!;
    const w = setupWizard({ services: { job: mid } });
    await waitFor(() => expect(w.store.getState().step).toBe('flash'));
    const row = w.store.getState().flashTargets[0]!;
    expect(row.history.map((v) => v.phase)).toEqual(['check', 'wipe', 'partition', 'esp', 'stamp', 'slots', 'verity', 'btrfs', 'verify']);
    expect(row).toMatchObject({ state: 'verifying', fraction: mid.progress.targets[0]!.fraction });
    expect(plainLine(targetRows(mid)[0]!)).toMatch(new RegExp(`^class-01 /tmp/pg/a.img: verify ${percentOf(row.fraction)}% `));
  });
});
