// The job service sends why elevation failed as typed details on the job's error event (the GUI and `iios serve`
// read the reason, not the words), and calls any exit after the helper connected the helper's own failure.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyElevationExit } from '../../src-main/services/elevation/elevation-failure.ts';
import type { HelperExit } from '../../src-main/services/elevation/elevation.ts';
import { JobService } from '../../src-main/services/jobs/jobs.ts';
import type { JobEvent } from '../../src-shared/job/events.ts';
import type { WriteJobInput } from '../../src-shared/job/write-job.ts';
import { loadProfile } from '../../src-main/services/sources/profiles.ts';

let work: string;
beforeAll(async () => void (work = await mkdtemp(join(tmpdir(), 'iios-elev-job-'))));
afterAll(async () => rm(work, { recursive: true, force: true }));

const job = async (id: string): Promise<WriteJobInput> => ({
  jobId: id,
  profile: await loadProfile('raw'),
  imagePath: '/nonexistent/source.img',
  targets: [{ id: 't1', kind: 'image-file', path: join(work, `${id}.img`), sizeBytes: 1 << 30, hostname: 'h' }],
});

async function runWith(exit: HelperExit): Promise<{ events: JobEvent[]; final: Awaited<ReturnType<JobService['current']>> }> {
  const svc = new JobService({ tmpRoot: work, launchHelper: () => ({ exited: Promise.resolve(exit), kill: () => undefined }) });
  const events: JobEvent[] = [];
  svc.subscribe((n) => events.push(n.event));
  const started = await svc.start(await job(`j${Math.random().toString(16).slice(2)}`));
  const final = await started.finished;
  return { events, final };
}

describe('elevation failures on the job', () => {
  it('no polkit agent: the error event says so with details { kind: elevation, reason: no-agent }', async () => {
    const stderr = 'Error executing command as another user: No authentication agent found.\n';
    const elevation = classifyElevationExit({ tool: 'pkexec', code: 127, stderr })!;
    const { events, final } = await runWith({ code: 127, signal: null, cancelled: false, stderr, message: elevation.message, elevation });
    const error = events.find((e) => e.kind === 'error');
    expect(error).toMatchObject({ details: { kind: 'elevation', reason: 'no-agent' }, message: expect.stringMatching(/start iios from your desktop session/) });
    expect(final?.status).toBe('failed');
  });

  it('a helper that exits without elevation trouble is the helper failing', async () => {
    const { events } = await runWith({ code: 3, signal: null, cancelled: false, stderr: 'boom\n' });
    expect(events.find((e) => e.kind === 'error')).toMatchObject({ details: { kind: 'elevation', reason: 'helper-failed' }, message: expect.stringMatching(/helper exited \(code 3\).*boom/) });
  });
});
