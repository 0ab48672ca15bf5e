// @vitest-environment jsdom
// The flash job in the store: one flash at a time is refused by the store itself (not only by a disabled
// button), notices of other jobs are ignored, events that beat jobs.start's answer are not lost.
import { act, cleanup, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { applyEvent, initialSnapshot } from '../../../src-main/services/jobs/job-state.ts';
import { busyReason } from '../../../src-renderer/store/flash-slice.ts';
import { planTargetWork } from '../../../src-shared/progress/work-plan.ts';
import { setupWizard } from './support/harness.tsx';
import { stick } from './support/fixtures.ts';
import { builtInProfiles, demoManifest, jobNotice } from './support/fake-services.ts';
import { tick, toTargets } from './support/steps.ts';

afterEach(cleanup);

async function readyToFlash() {
  const w = setupWizard();
  await toTargets(w.user, w.store);
  await tick(w.user, stick.device);
  await waitFor(() => expect(w.store.getState().plans[stick.id]?.status).toBe('ok'));
  return w;
}

describe('flash state in the store', () => {
  it('refuses a second flash while one is starting, with no second jobs.start call', async () => {
    const { store, fake } = await readyToFlash();
    const [first, second] = await act(() => Promise.all([store.getState().startFlash(), store.getState().startFlash()]));
    expect(first).toEqual({ ok: true });
    expect(second).toEqual({ ok: false, reason: busyReason() });
    expect(fake.calls.filter((c) => c.channel === 'jobs.start')).toHaveLength(1);
    // and again while it runs
    expect(await store.getState().startFlash()).toEqual({ ok: false, reason: busyReason() });
    expect(fake.calls.filter((c) => c.channel === 'jobs.start')).toHaveLength(1);
    // nor may the wizard leave the flash step meanwhile
    store.getState().goTo('targets');
    expect(store.getState().step).toBe('flash');
    store.getState().flashMore();
    expect(store.getState().flashStatus).toBe('starting');
  });

  it('sends the choices as the contract request: device without size, names from the pattern', async () => {
    const { store, fake } = await readyToFlash();
    store.getState().setNamePattern('lab-{nn}');
    await act(() => store.getState().startFlash());
    const call = fake.calls.find((c) => c.channel === 'jobs.start')!;
    expect(call.args).toMatchObject({ profileId: 'appliance', bundleDir: '/opt/iios/demo-bundle', targets: [{ path: '/dev/sdb' }], namePattern: 'lab-{nn}', unmountIfMounted: false });
    expect((call.args as { targets: object[] }).targets[0]).not.toHaveProperty('sizeBytes');
    expect(store.getState().flashTargets.map((t) => [t.id, t.hostname])).toEqual([['t1-sdb', 'lab-01']]);
  });

  it('keeps notices that arrive before jobs.start answers, and ignores notices of another job', async () => {
    const { store, fake, services } = await readyToFlash();
    const started = store.getState().startFlash();
    // jobs.start has run in the fake (synchronously) but its answer is not processed yet
    await waitFor(() => expect(services.job).not.toBeNull());
    act(() => fake.emit('jobs.event', jobNotice(services, { kind: 'phase', targetId: 't1-sdb', phase: 'wipe' }, { 't1-sdb': { status: 'running', phase: 'wipe' } })));
    await act(() => started);
    expect(store.getState().flashTargets[0]).toMatchObject({ id: 't1-sdb', state: 'writing', phase: 'wipe' });

    const before = store.getState().flashTargets[0]!.fraction;
    const other = { ...jobNotice(services, { kind: 'phase', targetId: 't1-sdb', phase: 'esp' }), jobId: 'someone-else' };
    expect(other.snapshot.progress.targets[0]!.fraction).toBeGreaterThan(before);
    act(() => fake.emit('jobs.event', other));
    expect(store.getState().flashTargets[0]).toMatchObject({ phase: 'wipe', fraction: before });
  });

  it('goes back to review with the reason when the services refuse to start', async () => {
    const w = setupWizard({ handlers: { 'jobs.start': () => { throw new Error('a write is already running (job other); wait for it to finish or cancel it first'); } } });
    await toTargets(w.user, w.store);
    await tick(w.user, stick.device);
    await waitFor(() => expect(w.store.getState().plans[stick.id]?.status).toBe('ok'));
    const r = await act(() => w.store.getState().startFlash());
    expect(r).toEqual({ ok: false, reason: 'a write is already running (job other); wait for it to finish or cancel it first' });
    expect(w.store.getState()).toMatchObject({ step: 'review', flashStatus: 'idle' });
    expect(w.store.getState().flashError).toMatch(/already running/);
  });

  it('picks up a job that is already running when the window opens', async () => {
    const plan = planTargetWork({ profile: builtInProfiles().find((p) => p.id === 'appliance')!, manifest: demoManifest, verify: true });
    let job = initialSnapshot('job-9', [{ id: 't1-sdb', path: '/dev/sdb', hostname: 'class-01' }], plan);
    job = applyEvent(job, { kind: 'phase', targetId: 't1-sdb', phase: 'slots' });
    job = applyEvent(job, { kind: 'progress', targetId: 't1-sdb', bytesDone: 50, bytesTotal: 100, speedBps: 10e6, etaSeconds: 5 });
    const w = setupWizard({ services: { job } });
    await waitFor(() => expect(w.store.getState().step).toBe('flash'));
    const shown = job.progress.targets[0]!;
    expect(shown.fraction).toBeGreaterThan(0);
    expect(w.store.getState().flashTargets[0]).toMatchObject({ id: 't1-sdb', key: '/dev/sdb', state: 'writing', phase: 'slots', fraction: shown.fraction });
    expect(await w.store.getState().startFlash()).toEqual({ ok: false, reason: busyReason() });
  });
});
