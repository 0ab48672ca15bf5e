// Progress computed once (src-shared/progress): the work plan of each profile, the fold over the event streams
// a real `iios write --json` recorded, hand-made edge cases, and properties over any stream of events.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PHASES, type JobEvent, type Phase } from '../../src-shared/job/events.ts';
import { foldProgress, initialProgress, MAX_UNFINISHED_FRACTION, targetSteps } from '../../src-shared/progress/fold-progress.ts';
import { JobProgress, type TargetProgress } from '../../src-shared/progress/progress-schema.ts';
import { planTargetWork, stepWork, type PhaseStep } from '../../src-shared/progress/work-plan.ts';
import { parseImageProfile, type ImageProfile } from '../../src-shared/profile/index.ts';
import { recordedJob, replay, RECORDED } from './fixtures/job-events/recorded-job.ts';

const profiles = new Map<string, ImageProfile>();
const profile = (id: string): ImageProfile => {
  if (!profiles.has(id)) profiles.set(id, parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles', `${id}.yaml`), 'utf8'), id, id));
  return profiles.get(id)!;
};
const demo = recordedJob('appliance-two-images');
const manifest = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/job-events/appliance-two-images.job.json'), 'utf8')).manifest;

describe('work plan: the phases the helper goes through, in its order', () => {
  it.each([
    ['appliance', { verify: true }, 'check wipe partition esp stamp slots verity btrfs verify stamp complete'],
    ['appliance', { verify: false }, 'check wipe partition esp stamp slots verity btrfs stamp complete'],
    ['appliance', { verify: true, caches: [{}] }, 'check wipe partition esp stamp slots verity btrfs caches verify stamp complete'],
    ['classroom', { verify: true }, 'check wipe partition esp stamp btrfs verify stamp complete'],
    ['kiosk', { verify: true, payload: [{}] }, 'check wipe partition esp stamp slots verity btrfs payload verify stamp complete'],
    ['raw', { verify: true }, 'check wipe slots verify complete'],
    ['raw', { verify: true, persistence: true }, 'check wipe slots verify partition btrfs complete'],
  ])('%s %j', (id, opts, phases) => {
    const plan = planTargetWork({ profile: profile(id), manifest: id === 'raw' ? null : manifest, ...opts });
    expect(plan.map((s) => s.phase).join(' ')).toBe(phases);
  });

  it('weighs the phases by the bytes they move: the slots are the root image once per slot, the read-back reads them again', () => {
    const plan = planTargetWork({ profile: profile('appliance'), manifest, verify: true });
    const of = (p: Phase) => plan.find((s) => s.phase === p)!;
    expect(of('slots').bytes).toBe(2 * manifest.rootfs.sizeBytes);
    expect(of('verity').bytes).toBe(2 * manifest.verity.sizeBytes);
    expect(of('verify').bytes).toBe(2 * manifest.rootfs.sizeBytes);
    // the data partition carries the whole bundle in @iios
    expect(of('btrfs').bytes).toBe(Object.values(manifest.files as Record<string, { sizeBytes: number }>).reduce((s, f) => s + f.sizeBytes, 0));
    expect(plan.every((s) => s.known)).toBe(true);
    // a raw image's size is learned from the helper; its read-back follows the write
    const raw = planTargetWork({ profile: profile('raw'), verify: true });
    expect(raw.find((s) => s.phase === 'slots')!.known).toBe(false);
    expect(raw.find((s) => s.phase === 'verify')!.bytesOf).toBe(raw.findIndex((s) => s.phase === 'slots'));
  });
});

function fold(events: readonly { event: JobEvent; at: Date }[], ids: string[], plan: PhaseStep[]) {
  let p = initialProgress(ids, plan);
  const seen = [p];
  for (const { event, at } of events) seen.push((p = foldProgress(p, event, at)));
  return seen;
}

describe('fold over the event streams of real writes (iios write --json, demo bundle, image files)', () => {
  it.each(RECORDED)('%s: one fraction per target over the whole job, never back, 1 only at the end', (name) => {
    const job = recordedJob(name);
    const { snapshots } = replay(job);
    for (const s of snapshots) JobProgress.parse(s.progress);
    for (const t of job.targets) {
      const seq = snapshots.map((s) => s.progress.targets.find((x) => x.targetId === t.id)!);
      for (let i = 1; i < seq.length; i++) expect(seq[i]!.fraction, `${t.id} event ${i}`).toBeGreaterThanOrEqual(seq[i - 1]!.fraction);
      const done = seq.findIndex((p) => p.stage === 'verified');
      expect(done).toBeGreaterThan(0);
      expect(seq.slice(0, done).every((p) => p.fraction < 1 && p.secondsLeft !== 0)).toBe(true);
      expect(seq.at(-1)).toMatchObject({ stage: 'verified', fraction: 1, secondsLeft: 0, phase: 'complete' });
      // the history is every phase the helper reported for this target, with the moment it began
      const phases = job.events.flatMap(({ event }) => (event.kind === 'phase' && event.targetId === t.id ? [event.phase] : []));
      expect(seq.at(-1)!.history.map((v) => v.phase)).toEqual(phases);
      expect(seq.at(-1)!.history[0]!.at).toBe(job.lines.find((l) => l.kind === 'phase' && l.targetId === t.id)!.time);
      // stages in order: pending, writing, verifying (from the read-back on, also during the last stamp), verified
      const stages = seq.map((p) => p.stage).filter((st, i, a) => a[i - 1] !== st);
      expect(stages).toEqual(['pending', 'writing', 'verifying', 'verified']);
    }
    const last = snapshots.at(-1)!.progress.batch;
    expect(last).toEqual({ fraction: 1, secondsLeft: 0, targets: job.targets.length, succeeded: job.targets.length, failed: 0 });
  });

  it('matches the work plan at each phase boundary: the phases behind over all of them', () => {
    const { snapshots } = replay(demo);
    const t1 = (i: number) => snapshots[i]!.progress.targets[0]!;
    const total = demo.plan.reduce((s, x) => s + stepWork(x), 0);
    const upTo = (n: number) => demo.plan.slice(0, n).reduce((s, x) => s + stepWork(x), 0) / total;
    const entered = (phase: Phase, nth = 1) => {
      let k = 0;
      return demo.events.findIndex(({ event }) => event.kind === 'phase' && event.targetId === 't1-a.img' && event.phase === phase && ++k === nth) + 1;
    };
    expect(t1(entered('wipe')).fraction).toBeCloseTo(upTo(1), 6);
    expect(t1(entered('slots')).fraction).toBeCloseTo(upTo(5), 6);
    expect(t1(entered('verify')).fraction).toBeCloseTo(upTo(8), 6);
    expect(t1(entered('stamp', 2)).fraction).toBeCloseTo(upTo(9), 6);
    // a recorded demo write spends most of its work in tools, not bytes: the first stamp is already past 40 %
    expect(t1(entered('stamp')).fraction).toBeGreaterThan(0.4);
  });

  it('knows the time left once it has measured a rate, and it shrinks towards the end', () => {
    const { snapshots } = replay(demo);
    const lefts = snapshots.map((s) => s.progress.targets[0]!.secondsLeft);
    expect(lefts[1]).toBeNull();
    const firstKnown = lefts.findIndex((x) => x !== null);
    // measured after the check (about 2 s of a 17 s write), then never unknown again while it runs
    expect(firstKnown).toBeGreaterThan(1);
    const elapsed = (i: number) => (demo.events[i - 1]!.at.getTime() - demo.events[0]!.at.getTime()) / 1000;
    expect(elapsed(firstKnown)).toBeGreaterThanOrEqual(1);
    expect(lefts.slice(firstKnown).every((x) => x !== null)).toBe(true);
    // within a factor of two of what really was left at the read-back (the recording's own clock)
    const atVerify = demo.events.findIndex(({ event }) => event.kind === 'phase' && event.targetId === 't1-a.img' && event.phase === 'verify') + 1;
    const doneAt = demo.events.find(({ event }) => event.kind === 'target-done' && event.targetId === 't1-a.img')!.at.getTime();
    const really = (doneAt - demo.events[atVerify - 1]!.at.getTime()) / 1000;
    expect(lefts[atVerify]!).toBeGreaterThan(really / 2);
    expect(lefts[atVerify]!).toBeLessThan(really * 2);
  });
});

describe('fold: edge cases', () => {
  const plan = planTargetWork({ profile: profile('appliance'), manifest, verify: true });
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, s));
  const ev = (s: number, event: JobEvent) => ({ event, at: at(s) });
  const phase = (s: number, p: Phase, targetId = 't1') => ev(s, { kind: 'phase', targetId, phase: p });
  const bytes = (s: number, done: number, total: number, targetId = 't1') => ev(s, { kind: 'progress', targetId, bytesDone: done, bytesTotal: total, speedBps: 1e6, etaSeconds: 1 });

  it('keeps a failed target where it stopped, with no time left invented; the batch counts it as over', () => {
    const seen = fold([phase(0, 'check'), phase(0, 'check', 't2'), phase(2, 'wipe'), phase(3, 'wipe', 't2'), ev(4, { kind: 'target-failed', targetId: 't2', message: 'gone', cancelled: false })], ['t1', 't2'], plan);
    const last = seen.at(-1)!;
    const t2 = last.targets[1]!;
    expect(t2).toMatchObject({ stage: 'failed', secondsLeft: null, fraction: seen.at(-2)!.targets[1]!.fraction });
    expect(last.batch).toMatchObject({ failed: 1, succeeded: 0 });
    expect(last.batch.fraction).toBeGreaterThan(0.5);
    expect(last.batch.fraction).toBeLessThan(1);
  });

  it('ends a target the job gave no result for as failed, or cancelled when the user cancelled it', () => {
    const events = [phase(0, 'check'), phase(0, 'check', 't2'), ev(5, { kind: 'done', results: [] })];
    expect(fold(events, ['t1', 't2'], plan).at(-1)!.targets.map((t) => t.stage)).toEqual(['failed', 'failed']);
    let p = initialProgress(['t1', 't2'], plan);
    for (const e of events) p = foldProgress(p, e.event, e.at, new Set(['t2']));
    expect(p.targets.map((t) => t.stage)).toEqual(['failed', 'cancelled']);
    expect(p.batch).toMatchObject({ fraction: 1, secondsLeft: 0, failed: 2 });
  });

  it('learns a phase total the job could not know (a raw image) and the read-back follows it', () => {
    const rawPlan = planTargetWork({ profile: profile('raw'), verify: true });
    const seen = fold([phase(0, 'check'), phase(1, 'wipe'), phase(2, 'slots'), bytes(2, 0, 8e9), bytes(12, 4e9, 8e9)], ['t1'], rawPlan);
    const steps = targetSteps(seen.at(-1)!.plan, seen.at(-1)!.targets[0]!.work);
    expect(steps.find((s) => s.phase === 'slots')).toMatchObject({ bytes: 8e9, known: true });
    expect(steps.find((s) => s.phase === 'verify')).toMatchObject({ bytes: 8e9, known: true });
    // half the image written, a read-back at half the cost still ahead: 0.5 / 1.5 of the work (the rest is tools)
    expect(seen.at(-1)!.targets[0]!.fraction).toBeCloseTo(1 / 3, 2);
  });

  it('stays where it is on a phase the plan does not have, and on a phase entered again', () => {
    const seen = fold([phase(0, 'check'), phase(1, 'wipe'), phase(2, 'payload'), phase(3, 'wipe')], ['t1'], plan);
    const fr = seen.map((p) => p.targets[0]!.fraction);
    expect(fr[3]).toBe(fr[2]);
    expect(fr[4]).toBe(fr[2]);
    expect(seen.at(-1)!.targets[0]!.history.map((v) => v.phase)).toEqual(['check', 'wipe', 'payload', 'wipe']);
  });

  it('does not take the pace of the check (hashing the bundle on the computer) for the pace of the stick', () => {
    const seen = fold([phase(0, 'check'), bytes(1, 4e6, 16e6), bytes(3, 8e6, 16e6), bytes(5, 16e6, 16e6), phase(6, 'wipe'), phase(8, 'partition')], ['t1'], plan);
    expect(seen.slice(0, 5).map((p) => p.targets[0]!.secondsLeft)).toEqual([null, null, null, null, null]);
    expect(seen[5]!.targets[0]!.secondsLeft).toBeNull();
    expect(seen[6]!.targets[0]!.secondsLeft).toBeGreaterThan(0);
  });

  it('does not say 0:00 while work is left, however fast it went', () => {
    const seen = fold([phase(0, 'check'), bytes(1, 0, 1e6), phase(2, 'wipe'), phase(2, 'partition'), phase(3, 'esp'), phase(4, 'stamp'), phase(5, 'slots'), bytes(6, 1e6, 2e6)], ['t1'], plan);
    const t = seen.at(-1)!.targets[0]!;
    expect(t.fraction).toBeLessThan(1);
    expect(t.secondsLeft).toBeGreaterThanOrEqual(1);
  });
});

describe('fold: properties over any stream of events', () => {
  const ids = ['t1', 't2'];
  const targetEvent = fc.oneof(
    fc.record({ kind: fc.constant('phase' as const), targetId: fc.constantFrom(...ids), phase: fc.constantFrom(...PHASES) }),
    fc
      .record({ kind: fc.constant('progress' as const), targetId: fc.constantFrom(...ids), total: fc.integer({ min: 0, max: 4e9 }), share: fc.double({ min: 0, max: 1.2, noNaN: true }) })
      .map(({ kind, targetId, total, share }) => ({ kind, targetId, bytesDone: Math.floor(total * share), bytesTotal: total, speedBps: 0, etaSeconds: null })),
    fc.record({ kind: fc.constant('log' as const), targetId: fc.constantFrom(...ids), level: fc.constant('info' as const), message: fc.constant('x') }),
    fc.record({ kind: fc.constant('target-failed' as const), targetId: fc.constantFrom(...ids), message: fc.constant('x'), cancelled: fc.boolean() }),
    fc.record({ kind: fc.constant('target-done' as const), targetId: fc.constantFrom(...ids), verified: fc.boolean() }),
  );
  const stream = fc.array(fc.tuple(targetEvent as fc.Arbitrary<JobEvent>, fc.integer({ min: 0, max: 30_000 })), { maxLength: 80 });
  const profileId = fc.constantFrom('appliance', 'classroom', 'kiosk', 'raw');

  it('never moves a fraction back, keeps it in 0…1, reaches 1 only when done, and never shows 0 s left before the end', () => {
    fc.assert(
      fc.property(stream, profileId, fc.boolean(), (events, id, endWithDone) => {
        const plan = planTargetWork({ profile: profile(id), manifest: id === 'raw' ? null : manifest, verify: true, caches: [{}], payload: [{}] });
        let ms = Date.UTC(2026, 0, 1);
        const timed = events.map(([event, dt]) => ({ event, at: new Date((ms += dt)) }));
        if (endWithDone) timed.push({ event: { kind: 'done', results: [{ targetId: 't1', ok: true, verified: true }] }, at: new Date(ms + 1) });
        const seen = fold(timed, ids, plan);
        for (let i = 1; i < seen.length; i++) {
          expect(seen[i]!.batch.fraction).toBeGreaterThanOrEqual(seen[i - 1]!.batch.fraction);
          seen[i]!.targets.forEach((t: TargetProgress, k) => {
            const before = seen[i - 1]!.targets[k]!;
            expect(t.fraction).toBeGreaterThanOrEqual(before.fraction);
            expect(t.fraction).toBeLessThanOrEqual(1);
            const ok = t.stage === 'verified' || t.stage === 'written';
            if (!ok) expect(t.fraction).toBeLessThanOrEqual(MAX_UNFINISHED_FRACTION);
            if (!ok) expect(t.secondsLeft).not.toBe(0);
            if (ok) expect(t).toMatchObject({ fraction: 1, secondsLeft: 0 });
          });
        }
        JobProgress.parse(seen.at(-1));
      }),
      { numRuns: 300 },
    );
  });
});
