// @vitest-environment jsdom
// The done step when the writer could not get administrator rights: a heading per reason with the services'
// advice (the messages elevation-failure.ts gives the CLI too), "Try again" that starts the same request after a
// dismissed prompt or a missing polkit agent, and no elevation heading when the helper itself failed.
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyElevationExit } from '../../../src-main/services/elevation/elevation-failure.ts';
import { syntheticDone } from '../../../src-main/services/jobs/job-state.ts';
import { busyReason } from '../../../src-renderer/store/flash-slice.ts';
import { jobNotice } from './support/fake-services.ts';
import { setupWizard } from './support/harness.tsx';
import { flashStickAndBigDisk } from './support/steps.ts';

afterEach(cleanup);

async function flashing() {
  const w = setupWizard();
  await flashStickAndBigDisk(w.user, w.store);
  return w;
}

const starts = (w: Awaited<ReturnType<typeof flashing>>) => w.fake.calls.filter((c) => c.channel === 'jobs.start');

/** The job service's own failure for a tool exit before the helper connected. */
function failure(exit: Parameters<typeof classifyElevationExit>[0]) {
  const f = classifyElevationExit(exit);
  if (!f) throw new Error('not an elevation failure');
  return f;
}

describe('done step after elevation failed', () => {
  it('names a dismissed password prompt, and Try again starts a second job with the same request', async () => {
    const w = await flashing();
    const dismissed = failure({ tool: 'pkexec', code: 126, stderr: '' });
    expect(dismissed.reason).toBe('dismissed');
    // as jobs.ts ends it: cancelled (no error event), the typed reason on the snapshot, then the made-up done
    const job = w.services.job!;
    w.services.job = { ...job, status: 'cancelling', targets: job.targets.map((t) => ({ ...t, cancelled: true })), errorDetails: { kind: 'elevation', reason: 'dismissed' } };
    act(() => w.fake.emit('jobs.event', jobNotice(w.services, syntheticDone(w.services.job as Parameters<typeof syntheticDone>[0], dismissed.message), {}, 'cancelled')));

    expect(w.store.getState().step).toBe('done');
    expect(screen.getByRole('heading', { name: 'The password prompt was dismissed' })).toBeTruthy();
    expect(screen.getByTestId('elevation-advice').textContent).toMatch(/^The password prompt was dismissed\. Start the write again .*Nothing was written\.$/);
    expect(screen.getAllByTestId('result-text').map((e) => e.textContent)).toEqual([expect.stringMatching(/^Not written/), expect.stringMatching(/^Not written/)]);

    await w.user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(starts(w)).toHaveLength(2));
    expect(starts(w)[1]!.args).toEqual(starts(w)[0]!.args);
    await waitFor(() => expect(w.store.getState().jobId).toBe(w.services.job!.jobId));
    expect(w.store.getState()).toMatchObject({ step: 'flash', flashErrorDetails: null, flashError: null });
    expect(screen.getByRole('heading', { name: 'Flashing' })).toBeTruthy();
    // one flash at a time: a second try while this one runs is refused in the store, and starts nothing
    expect(await w.store.getState().retryFlash()).toEqual({ ok: false, reason: busyReason() });
    expect(starts(w)).toHaveLength(2);
  }, 20_000);

  it('shows the advice when no polkit agent is running, and offers to try again', async () => {
    const w = await flashing();
    const noAgent = failure({ tool: 'pkexec', code: 127, stderr: 'Error executing command as another user: No authentication agent found.\n' });
    expect(noAgent.reason).toBe('no-agent');
    act(() => w.fake.emit('jobs.event', jobNotice(w.services, { kind: 'error', message: noAgent.message, details: { kind: 'elevation', reason: 'no-agent', tool: noAgent.tool, said: noAgent.said } }, {}, 'failed')));

    expect(screen.getByRole('heading', { name: 'No polkit agent is running' })).toBeTruthy();
    const advice = screen.getByTestId('elevation-advice').textContent!;
    expect(advice).toMatch(/start iios from your desktop session, or run the same `iios write …` command with `sudo` in a terminal/);
    expect(advice).toMatch(/No authentication agent found/);
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('says there is no way to get administrator rights when neither pkexec nor sudo is there, without a useless Try again', async () => {
    const w = await flashing();
    const noTool = failure({ tool: 'pkexec', code: null, message: 'spawn pkexec ENOENT', stderr: '' });
    act(() => w.fake.emit('jobs.event', jobNotice(w.services, { kind: 'error', message: noTool.message, details: { kind: 'elevation', reason: 'no-tool' } }, {}, 'failed')));
    expect(screen.getByRole('heading', { name: 'No way to get administrator rights' })).toBeTruthy();
    expect(screen.getByTestId('elevation-advice').textContent).toMatch(/apt install pkexec/);
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
  });

  it('shows a helper that failed after it started as a plain failure, with no elevation heading', async () => {
    const w = await flashing();
    const message = 'the helper exited (code 1) without finishing the job: mkfs.btrfs: error';
    act(() => w.fake.emit('jobs.event', jobNotice(w.services, { kind: 'error', message, details: { kind: 'elevation', reason: 'helper-failed' } }, {}, 'failed')));

    expect(screen.getByRole('heading', { name: 'The flash failed' })).toBeTruthy();
    expect(document.querySelector('[data-elevation]')).toBeNull();
    expect(screen.queryByTestId('elevation-advice')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
    expect(screen.getByRole('alert').textContent).toBe(`The writer stopped. ${message}`);
  });
});
