// @vitest-environment jsdom
// The flash step (a bar per target with phase, speed, ETA, then verification; cancel) and the done step
// (verified / failed with the reason and what to do, eject, flash more keeping the choices).
import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { formatTimeLeft } from '../../../src-shared/progress/display.ts';
import { isDisabled } from './support/dom.ts';
import { jobNotice } from './support/fake-services.ts';
import { setupWizard } from './support/harness.tsx';
import { stick } from './support/fixtures.ts';
import { flashStickAndBigDisk } from './support/steps.ts';

afterEach(cleanup);

type PushArgs = Parameters<typeof jobNotice> extends [unknown, ...infer Rest] ? Rest : never;

async function flashing() {
  const w = setupWizard();
  await flashStickAndBigDisk(w.user, w.store);
  const push = (...args: PushArgs) => act(() => w.fake.emit('jobs.event', jobNotice(w.services, ...args)));
  return { ...w, push };
}

const rowOf = (id: string) => document.querySelector<HTMLLIElement>(`li.progress-row[data-target="${id}"]`)!;
const barOf = (id: string) => within(rowOf(id)).getByRole('progressbar');

describe('flash step', () => {
  it('shows a bar per target with phase, speed and ETA, then verification, in a row that keeps its size', async () => {
    const { push, services } = await flashing();
    expect(screen.getByRole('heading', { name: 'Flashing' })).toBeTruthy();
    expect(rowOf('t1-sdb').dataset.state).toBe('pending');
    const t0 = Date.now();
    const at = (s: number) => new Date(t0 + s * 1000);
    push({ kind: 'phase', targetId: 't1-sdb', phase: 'slots' }, {}, undefined, at(0));
    // the time left is not known before the services measured a rate: the row says so instead of "0:00"
    expect(within(rowOf('t1-sdb')).getByText('unknown left')).toBeTruthy();
    push({ kind: 'progress', targetId: 't1-sdb', bytesDone: 250e6, bytesTotal: 1e9, speedBps: 38.2e6, etaSeconds: 20 }, {}, undefined, at(4));
    const row = rowOf('t1-sdb');
    // the services' numbers, as they are: percent over the whole job and the time left they measured
    const p = services.job!.progress.targets[0]!;
    const pct = String(Math.floor(p.fraction * 100));
    expect(p.secondsLeft).toBeGreaterThan(0);
    expect(barOf('t1-sdb').getAttribute('aria-valuenow')).toBe(pct);
    // the bar itself says where the target is, for screen readers (valuetext) and for tests (data-*)
    expect(barOf('t1-sdb').getAttribute('aria-valuetext')).toBe(`${pct} %, writing (writing system)`);
    expect(barOf('t1-sdb').dataset).toMatchObject({ state: 'writing', phase: 'slots', path: stick.device });
    expect(within(row).getByText(`${pct} %`)).toBeTruthy();
    expect(within(row).getByText('writing system')).toBeTruthy();
    expect(within(row).getByText('38.2 MB/s')).toBeTruthy();
    expect(within(row).getByText(`${formatTimeLeft(p.secondsLeft)} left`)).toBeTruthy();
    // the phases so far, with when they began, on the phase cell
    expect(within(row).getByText('writing system').getAttribute('title')).toMatch(/^writing system \d/);
    // and the batch: both sticks together, until the last one ends
    expect(Number(screen.getByTestId('batch-bar').getAttribute('aria-valuenow'))).toBe(Math.floor(services.job!.progress.batch.fraction * 100));
    // the stats are five fixed cells whatever their content: no layout jump as numbers change
    expect(row.querySelectorAll('.stats > span')).toHaveLength(5);

    const now = () => Number(barOf('t1-sdb').getAttribute('aria-valuenow'));
    const writing = now();
    push({ kind: 'phase', targetId: 't1-sdb', phase: 'verify' }, {}, undefined, at(6));
    expect(within(row).getByTestId('target-state').textContent).toBe('verifying');
    const verifying = now();
    expect(verifying).toBeGreaterThan(writing);
    expect(barOf('t1-sdb').getAttribute('aria-valuetext')).toBe(`${verifying} %, verifying (reading back)`);
    expect(barOf('t1-sdb').dataset).toMatchObject({ state: 'verifying', phase: 'verify' });
    // the complete stamp is written after the read-back: still "verifying", and the bar does not go back
    push({ kind: 'phase', targetId: 't1-sdb', phase: 'stamp' }, {}, undefined, at(8));
    expect(within(row).getByTestId('target-state').textContent).toBe('verifying');
    expect(now()).toBeGreaterThan(verifying);
    expect(now()).toBeLessThan(100);
    expect(barOf('t1-sdb').getAttribute('aria-valuetext')).toBe(`${now()} %, verifying (stamp)`);
    push({ kind: 'target-done', targetId: 't1-sdb', verified: true }, { 't1-sdb': { status: 'done', verified: true, phase: 'complete' } });
    expect(rowOf('t1-sdb').dataset.state).toBe('verified');
    expect(barOf('t1-sdb').getAttribute('aria-valuenow')).toBe('100');
    expect(barOf('t1-sdb').getAttribute('aria-valuetext')).toBe('100 %, verified');
    expect(barOf('t1-sdb').dataset.state).toBe('verified');
    expect(screen.getByTestId('flash-status').textContent).toBe('1 of 2 finished');
  }, 20_000);

  it('cancels through jobs.cancel and shows the cancelled target as incomplete', async () => {
    const { push, user, fake, store } = await flashing();
    push({ kind: 'phase', targetId: 't1-sdb', phase: 'slots' }, { 't1-sdb': { status: 'running', phase: 'slots' } });
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(fake.calls.some((c) => c.channel === 'jobs.cancel')).toBe(true);
    expect(isDisabled(screen.getByRole('button', { name: 'Cancelling…' }))).toBe(true);
    push({ kind: 'target-failed', targetId: 't1-sdb', message: 'cancelled', cancelled: true }, { 't1-sdb': { status: 'failed', cancelled: true, message: 'cancelled' } });
    push({ kind: 'target-failed', targetId: 't2-sde', message: 'cancelled', cancelled: true }, { 't2-sde': { status: 'failed', cancelled: true, message: 'cancelled' } });
    push({ kind: 'done', results: [] }, {}, 'cancelled');
    expect(store.getState().step).toBe('done');
    const result = document.querySelector('[data-result="t1-sdb"]')!;
    expect(result.getAttribute('data-state')).toBe('cancelled');
    expect(result.textContent).toMatch(/marked incomplete/);
    expect(result.textContent).toMatch(/flash it again/);
  });
});

describe('done step', () => {
  it('reports each target: verified, or failed with the reason and what to do; the job log; ejects; flash more keeps the choices', async () => {
    const w = await flashing();
    const { push, user, store, fake } = w;
    push({ kind: 'target-done', targetId: 't1-sdb', verified: true }, { 't1-sdb': { status: 'done', verified: true } });
    push(
      { kind: 'target-failed', targetId: 't2-sde', message: 'write to /dev/sde failed: Input/output error', cancelled: false },
      { 't2-sde': { status: 'failed', message: 'write to /dev/sde failed: Input/output error' } },
    );
    expect(screen.queryByTestId('job-log')).toBeNull();
    w.services.job = { ...w.services.job!, logPath: '/home/ann/.local/state/iios/jobs/20261202T134501Z-j1.log' };
    push({ kind: 'done', results: [{ targetId: 't1-sdb', ok: true, verified: true }, { targetId: 't2-sde', ok: false, verified: false, message: 'write to /dev/sde failed: Input/output error' }] }, {}, 'done');
    expect(screen.getByRole('heading', { name: 'Partly done' })).toBeTruthy();
    // the job's log (every command it ran), from the snapshot, for diagnosing the failed stick
    expect(screen.getByTestId('job-log').textContent).toBe('Every command this job ran is logged in /home/ann/.local/state/iios/jobs/20261202T134501Z-j1.log');
    const ok = document.querySelector('[data-result="t1-sdb"]')!;
    expect(within(ok as HTMLElement).getByTestId('result-text').textContent).toMatch(/^Verified/);
    const bad = document.querySelector('[data-result="t2-sde"]')!;
    expect(within(bad as HTMLElement).getByTestId('result-text').textContent).toBe('Failed: write to /dev/sde failed: Input/output error');
    expect(bad.textContent).toMatch(/still plugged in and not write-protected/);

    await user.click(screen.getByRole('button', { name: 'Eject: SanDisk Ultra' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Ejected: SanDisk Ultra' }).textContent).toBe('Ejected'));
    expect(fake.calls.find((c) => c.channel === 'drives.eject')!.args).toEqual({ id: '/dev/sdb' });

    await user.click(screen.getByRole('button', { name: 'Flash more' }));
    // the names go on after the highest one written (class-01; class-02 failed): the next batch starts at 2
    expect(store.getState()).toMatchObject({ step: 'targets', flashStatus: 'idle', profileId: 'appliance', selectedDrives: ['/dev/sdb', '/dev/sde'], namePattern: 'class-{nn}', firstNumber: 2 });
    expect(store.getState().source?.kind).toBe('bundle');
  });

  it('shows a failure of the whole job and marks the unfinished targets failed with its message', async () => {
    const { push } = await flashing();
    push({ kind: 'error', message: 'the helper could not be started: the user refused' }, {}, 'failed');
    expect(screen.getByRole('heading', { name: 'The flash failed' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toMatch(/the user refused/);
    expect(document.querySelector('[data-result="t1-sdb"]')!.textContent).toMatch(/Failed: the helper could not be started/);
  });
});
