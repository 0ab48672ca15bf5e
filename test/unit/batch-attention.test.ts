// The computer stays awake exactly while a job runs, and the taskbar shows the batch's fraction, then nothing.
import { describe, expect, it } from 'vitest';
import type { JobNotice } from '../../src-shared/contract/domains/jobs.ts';
import { createBatchAttention } from '../../src-main/services/jobs/batch-attention.ts';

const notice = (status: JobNotice['snapshot']['status'], fraction: number) =>
  ({ jobId: 'j', event: { kind: 'log', line: '' }, snapshot: { status, progress: { batch: { fraction } } } }) as unknown as JobNotice;

describe('batch attention', () => {
  it('blocks sleep once while the job runs, shows its progress, and releases both at the end', () => {
    const log: string[] = [];
    let next = 7;
    const a = createBatchAttention({
      setProgress: (f) => log.push(`bar ${f}`),
      blockSleep: () => (log.push(`block ${next}`), next++),
      allowSleep: (id) => log.push(`allow ${id}`),
    });
    a.onNotice(notice('starting', 0));
    a.onNotice(notice('running', 0.25));
    a.onNotice(notice('running', 0.5));
    a.onNotice(notice('done', 1));
    a.onNotice(notice('running', 0.1));
    a.dispose();
    expect(log).toEqual(['block 7', 'bar 0', 'bar 0.25', 'bar 0.5', 'allow 7', 'bar null', 'block 8', 'bar 0.1', 'allow 8']);
  });
});
