// @vitest-environment jsdom
// Station mode in the wizard over the in-memory services: after one confirmation, a stick plugged in is flashed
// with the next name, one plugged in before is left alone, a stick plugged back in after it was flashed is not
// flashed again until the teacher says so, and Stop brings every stick the station made to the done step.
import { act, cleanup, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { jobNotice } from './support/fake-services.ts';
import { drive, stick, systemDisk } from './support/fixtures.ts';
import { setupWizard } from './support/harness.tsx';
import { next, toTargets } from './support/steps.ts';

afterEach(cleanup);

const plugged = drive({ device: '/dev/sdf', description: 'Generic Flash Disk', serial: 'AA0001' });
const other = drive({ device: '/dev/sdh', description: 'Generic Flash Disk', serial: 'AA0002' });

describe('station mode', () => {
  it('flashes each new stick with the next name, leaves old ones alone, asks before flashing a re-plugged one', async () => {
    const w = setupWizard({ services: { drives: [systemDisk, stick] } });
    const { user, store, fake } = w;
    await toTargets(user, store);
    await user.click(screen.getByRole('checkbox', { name: 'Keep flashing sticks as they are plugged in' }));
    // nothing ticked: the station alone is enough to go on
    await next(user, store, 'options');
    await next(user, store, 'caches');
    await next(user, store, 'review');
    await user.type(screen.getByLabelText(/type the number of targets/), '0');
    await user.click(screen.getByRole('button', { name: 'Start flashing sticks as they are plugged in' }));
    await waitFor(() => expect(store.getState().step).toBe('flash'));
    expect(screen.getByTestId('station-next-name').textContent).toBe('class-01');
    const starts = () => fake.calls.filter((c) => c.channel === 'jobs.start').map((c) => c.args as { targets: { path: string }[]; firstNumber: number });

    // a stick plugged in: flashed as class-01; the one that was there before is not
    w.services.drives = [systemDisk, stick, plugged];
    act(() => fake.emit('drives.changed', { drives: w.services.drives }));
    await waitFor(() => expect(starts()).toHaveLength(1));
    expect(starts()[0]).toMatchObject({ targets: [{ path: '/dev/sdf' }], firstNumber: 1, unmountIfMounted: false });
    await waitFor(() => expect(screen.getByTestId('row-hostname').textContent).toBe('class-01'));
    const jobId = store.getState().jobId;
    act(() => fake.emit('jobs.event', jobNotice(w.services, { kind: 'target-done', targetId: 't1-sdf', verified: true }, { 't1-sdf': { status: 'done', verified: true } })));
    act(() => fake.emit('jobs.event', jobNotice(w.services, { kind: 'done', results: [{ targetId: 't1-sdf', ok: true, verified: true }] }, {}, 'done')));
    await waitFor(() => expect(store.getState().flashStatus).toBe('idle'));
    expect(jobId).not.toBeNull();
    // the station goes on: still the flash view, the finished row kept, the next name shown
    expect(store.getState().step).toBe('flash');
    expect(document.querySelector('li.progress-row')!.getAttribute('data-state')).toBe('verified');
    expect(screen.getByTestId('station-next-name').textContent).toBe('class-02');

    // pulled, and plugged back in under another device name: recognised by its serial, not flashed
    w.services.drives = [systemDisk, stick];
    act(() => fake.emit('drives.changed', { drives: w.services.drives }));
    const back = { ...plugged, id: '/dev/sdg', device: '/dev/sdg' };
    w.services.drives = [systemDisk, stick, back];
    act(() => fake.emit('drives.changed', { drives: w.services.drives }));
    const note = await screen.findByText(/Already flashed as class-01 by this station/);
    expect(note.closest('li')!.getAttribute('data-note')).toBe('replugged');
    expect(starts()).toHaveLength(1);

    // another new stick: class-02
    w.services.drives = [systemDisk, stick, back, other];
    act(() => fake.emit('drives.changed', { drives: w.services.drives }));
    await waitFor(() => expect(starts()).toHaveLength(2));
    expect(starts()[1]).toMatchObject({ targets: [{ path: '/dev/sdh' }], firstNumber: 2 });
    act(() => fake.emit('jobs.event', jobNotice(w.services, { kind: 'target-done', targetId: 't1-sdh', verified: true }, { 't1-sdh': { status: 'done', verified: true } })));
    act(() => fake.emit('jobs.event', jobNotice(w.services, { kind: 'done', results: [{ targetId: 't1-sdh', ok: true, verified: true }] }, {}, 'done')));
    await waitFor(() => expect(store.getState().flashStatus).toBe('idle'));

    // the teacher says yes to the re-plugged one: flashed again with a new name
    await user.click(screen.getByRole('button', { name: 'Flash it again with a new name' }));
    await waitFor(() => expect(starts()).toHaveLength(3));
    expect(starts()[2]).toMatchObject({ targets: [{ path: '/dev/sdg' }], firstNumber: 3 });
    act(() => fake.emit('jobs.event', jobNotice(w.services, { kind: 'done', results: [{ targetId: 't1-sdg', ok: false, verified: false, message: 'gone' }] }, { 't1-sdg': { status: 'failed', message: 'gone' } }, 'done')));
    await waitFor(() => expect(store.getState().flashStatus).toBe('idle'));

    // Stop: every stick of the station on the done step
    await user.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(store.getState().step).toBe('done'));
    const results = [...document.querySelectorAll('li.result')].map((li) => li.getAttribute('data-state'));
    expect(results).toEqual(['verified', 'verified', 'failed']);
    // names continue after the station: the highest written was class-02
    expect(store.getState().firstNumber).toBe(3);
  });
});
