// A stick reported done at its own pace (before the job's end) stays done: the job's final results do not report
// it twice, and neither a later failure nor a cancel of the job turns it into a failure. Image files are reported
// at the job's end only (they are let go there).
import { describe, expect, it } from 'vitest';
import { TargetCtx } from '../../helpers/context.ts';
import { finishTargets, reportDone } from '../../helpers/target-results.ts';
import type { JobEvent } from '../../src-shared/job/events.ts';
import type { PartitionPlan } from '../../src-shared/layout/index.ts';
import type { ImageProfile } from '../../src-shared/profile/image-profile.ts';

function ctx(id: string, kind: 'device' | 'image-file', events: JobEvent[], job: AbortController): TargetCtx {
  return new TargetCtx({ id, kind, path: `/x/${id}`, sizeBytes: 1, hostname: 'x' }, { partitions: [] } as unknown as PartitionPlan, { id: 't' } as ImageProfile, (e) => events.push(e), job.signal);
}

describe('reportDone', () => {
  it('sends target-done for a finished stick at once, once, and keeps it done through a later cancel', () => {
    const events: JobEvent[] = [];
    const job = new AbortController();
    const [fast, slow, file] = [ctx('fast', 'device', events, job), ctx('slow', 'device', events, job), ctx('file', 'image-file', events, job)];
    fast.verified = true;
    reportDone(fast);
    reportDone(fast);
    reportDone(file);
    const done = () => events.filter((e) => e.kind === 'target-done').map((e) => e.kind === 'target-done' && e.targetId);
    expect(done()).toEqual(['fast']);
    fast.fail(new Error('device gone'));
    job.abort();
    const results = finishTargets([fast, slow, file], (e) => events.push(e), job.signal);
    expect(results.map((r) => [r.targetId, r.ok, r.verified])).toEqual([['fast', true, true], ['slow', false, false], ['file', false, false]]);
    expect(done()).toEqual(['fast']);
    expect(events.filter((e) => e.kind === 'target-failed').map((e) => e.kind === 'target-failed' && e.targetId)).toEqual(['slow', 'file']);
  });
});
