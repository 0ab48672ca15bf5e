// A whole job's error (not one target's) in the reader's language. Every `error` event the helper and the job
// service send carries typed details (src-shared/contract/error-details.ts): found in the source, so that a new
// error sent with English text only fails here. Then each kind is said in German with no English left, as the
// GUI's job snapshot keeps it and as the CLI's closing summary prints it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { helperJobError, invalidJob, refusedJobError } from '../../helpers/job-errors.ts';
import { summary } from '../../src-main/cli/progress-view.ts';
import { applyEvent, initialSnapshot, syntheticDone } from '../../src-main/services/jobs/job-state.ts';
import type { ErrorDetails } from '../../src-shared/contract/error-details.ts';
import { detailsWords } from '../../src-shared/errors/error-words.ts';
import { failureWords } from '../../src-shared/errors/failure-words.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { StickJob } from '../../src-shared/job/clone-job.ts';
import { PayloadJob, UpdateJob } from '../../src-shared/job/update-job.ts';
import type { JobEvent, TargetResult } from '../../src-shared/job/events.ts';
import { WriteJob } from '../../src-shared/job/write-job.ts';
import { planStickJobWork } from '../../src-shared/progress/work-plan.ts';
import { englishIn } from '../support/untranslated.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sources(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

afterEach(() => setLocale('en'));

describe('every whole-job error is sent typed', () => {
  it('the helper builds each one with helpers/job-errors.ts (an `error` event written anywhere else fails here)', () => {
    const untyped: string[] = [];
    for (const file of sources(join(ROOT, 'helpers'))) {
      if (file.endsWith('/job-errors.ts')) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/kind: 'error'/g)) untyped.push(`${file.slice(ROOT.length + 1)}:${text.slice(0, m.index).split('\n').length}`);
    }
    expect(untyped, 'send these through invalidJob, refusedJobError or helperJobError').toEqual([]);
  });

  it('the job service names why for each way a job ends without its result (a bare English reason fails here)', () => {
    const text = readFileSync(join(ROOT, 'src-main/services/jobs/jobs.ts'), 'utf8');
    // finish(run, 'reason') with no typed details after it; a cancel ends without an error event and needs none
    const bare = [...text.matchAll(/this\.finish\(run, ('[^']*'|`[^`]*`)\)/g)].map((m) => m[1]!).filter((m) => !/cancelled/.test(m));
    expect(bare).toEqual([]);
  });
});

const refusedResults: TargetResult[] = [
  { targetId: 't1', ok: false, verified: false, message: 'refused before changing anything: its last write did not finish', failure: { key: 'stick-refused', refusal: { reason: 'incomplete' } } },
  { targetId: 't2', ok: false, verified: false, message: 'refused before changing anything: /dev/sdz is mounted at /media/x', failure: { key: 'refused', target: '/dev/sdz', reasons: ['mounted'] } },
];

/** What the helper and the job service send, each as the real builder makes it. */
const sent: [string, () => JobEvent][] = [
  ['a write job that fails its schema', () => invalidJob(WriteJob.safeParse({ jobId: 'j', targets: [] }).error!)],
  ['a repair job that fails its schema', () => invalidJob(StickJob.safeParse({ kind: 'repair' }).error!)],
  ['an update job that fails its schema', () => invalidJob(UpdateJob.safeParse({ kind: 'update', targets: 'x' }).error!)],
  ['a payload job that fails its schema', () => invalidJob(PayloadJob.safeParse({ kind: 'payload', files: 3 }).error!)],
  ['every stick refused before anything was changed', () => refusedJobError(refusedResults.map((r) => r.message).join('; '), refusedResults)],
  ['the helper stopping on an error of its own', () => helperJobError(new Error('EACCES: permission denied, open /run/iios'))],
  ...(['connection-closed', 'no-connect', 'no-result'] as const).map((why): [string, () => JobEvent] => [
    `the job service: ${why}`,
    () => ({ kind: 'error', message: `the helper: ${why}`, details: { kind: 'job-ended', why } }),
  ]),
];

describe('a whole job’s error in the reader’s language', () => {
  it.each(sent)('%s: typed, and said in German with no English left (the GUI’s words and the CLI’s summary)', (_, make) => {
    const ev = make();
    if (ev.kind !== 'error') throw new Error('not an error event');
    expect(ev.details).toBeDefined();
    // the snapshot keeps the typed details beside the English message (the GUI's flash-slice and the CLI read it)
    let s = initialSnapshot('job-1', [{ id: 't1', path: '/dev/sdz', hostname: 'class-01' }], planStickJobWork('repair'));
    s = applyEvent(s, ev);
    expect(s.errorDetails).toEqual(ev.details);
    setLocale('de');
    const words = detailsWords(s.errorDetails as ErrorDetails, s.error!);
    // data inside the German frame: a helper's own words (a tool's, an errno's), a field's name in the job schema
    const d = ev.details!;
    const data = d.kind === 'job-ended' && d.text ? [d.text] : d.kind === 'invalid' ? d.issues.map((i) => i.path) : [];
    const ours = data.reduce((text, x) => text.split(x).join('…'), words);
    expect(words).not.toBe(ev.message);
    expect(englishIn([ours]), words).toEqual([]);
    const closing = summary(applyEvent(s, { kind: 'done', results: [{ targetId: 't1', ok: false, verified: false, message: 'x', failure: { key: 'other-refused' } }] }));
    expect(closing).toContain(words);
    setLocale('en');
    expect(detailsWords(s.errorDetails as ErrorDetails, s.error!)).not.toBe(words);
  });

  it('says each different refusal once, in English as in German', () => {
    const ev = refusedJobError('x', [...refusedResults, refusedResults[0]!]);
    if (ev.kind !== 'error') throw new Error('not an error event');
    expect(detailsWords(ev.details, ev.message)).toBe(
      'Nothing was changed. Refused before changing anything: its last write did not finish. Write it again, or repair it first. Refused before anything was written. /dev/sdz is mounted: unmount it first.',
    );
  });
});

describe('the targets a job never finished, when the helper ended without its result', () => {
  it.each([
    ['the connection closed mid-write', false, /Schreibprogramm hielt an, bevor dieses Ziel fertig war/],
    ['cancelled mid-write', true, /abgebrochen \(System schreiben\); der Stick ist unvollständig/],
  ] as const)('%s: each unfinished target says so typed, in German with no English left', (_, cancelled, german) => {
    let s = initialSnapshot('job-1', [{ id: 't1', path: '/dev/sdz', hostname: 'class-01' }, { id: 't2', path: '/dev/sdy', hostname: 'class-02' }], planStickJobWork('repair'));
    s = applyEvent(s, { kind: 'phase', targetId: 't1', phase: 'slots' });
    s = applyEvent(s, { kind: 'target-done', targetId: 't2', verified: true });
    s = applyEvent(s, syntheticDone(s, cancelled ? 'cancelled; the target is incomplete' : 'the connection to the helper closed before the job finished', cancelled));
    const t1 = s.targets.find((x) => x.id === 't1')!;
    expect(t1.status).toBe('failed');
    expect(t1.failure).toBeDefined();
    expect(s.targets.find((x) => x.id === 't2')!.failure).toBeUndefined();
    setLocale('de');
    const text = failureWords(t1.failure, t1.message ?? '');
    expect(text).toMatch(german);
    expect(englishIn([text, summary(s)].flatMap((x) => x.split('\n')).map((l) => l.replace(/\/dev\/sd[a-z]/g, '…'))), text).toEqual([]);
  });
});
