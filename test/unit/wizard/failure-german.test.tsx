// @vitest-environment jsdom
// A failed target in a German GUI: the event is the one the root helper emits (a real TargetCtx failing with the
// helper's own read-back error), pushed through the job service's fold to the wizard; its row and the done step
// say the failure in German from its typed form, not the helper's English sentence.
import { act, cleanup } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FailureError, TargetCtx } from '../../../helpers/context.ts';
import { ChunkMismatch } from '../../../helpers/io/read-back.ts';
import { setLocale } from '../../../src-shared/i18n/index.ts';
import type { JobEvent, TargetFailedEvent } from '../../../src-shared/job/events.ts';
import type { PartitionPlan } from '../../../src-shared/layout/index.ts';
import type { ImageProfile } from '../../../src-shared/profile/image-profile.ts';
import { englishIn } from '../../support/untranslated.ts';
import { judgeCaches, judgeEspFiles } from '../../../src-shared/verify/stick-checks.ts';
import { jobNotice } from './support/fake-services.ts';
import { setupWizard } from './support/harness.tsx';
import { bigDisk } from './support/fixtures.ts';
import { flashStickAndBigDisk } from './support/steps.ts';

afterEach(() => {
  cleanup();
  setLocale('en');
});

/** What the helper emits when the read-back of target `id` finds a chunk that differs (helpers/io/read-back.ts). */
function helperReadBackFailure(id: string, path: string, err: Error = new ChunkMismatch(12_582_912, 4_194_304, 'xxh128 00, written ff')): TargetFailedEvent {
  const events: JobEvent[] = [];
  const ctx = new TargetCtx({ id, kind: 'image-file', path, sizeBytes: 8 * 1024 ** 3, hostname: 'class-02' }, { partitions: [] } as unknown as PartitionPlan, { id: 'appliance' } as ImageProfile, (e) => events.push(e), new AbortController().signal);
  ctx.enter('verify');
  ctx.fail(err);
  return events.find((e): e is TargetFailedEvent => e.kind === 'target-failed')!;
}

/** What the helper's verify throws when the ESP files and the caches read back wrong (helpers/steps/verify.ts). */
function helperVerifyFailure(): FailureError {
  const failed = [
    judgeEspFiles([{ path: '/loader/loader.conf', want: 'ab'.repeat(32), got: 'cd'.repeat(32) }]),
    judgeCaches([{ kind: 'apt', files: 2, sizeBytes: 3_145_745, manifestSha256: 'ef'.repeat(32) }], new Map([['apt', { sha256: '01'.repeat(32), files: 1, sizeBytes: 17, entries: [] }]])),
  ];
  const [first, ...more] = failed.map((c) => ({ id: c.id, ok: c.ok, said: c.said }));
  return new FailureError(failed.map((c) => c.detail).join('; '), { key: 'verify-failed', checks: [first!, ...more] });
}

describe('a failed target in a German GUI', () => {
  it('says the helper’s read-back failure in German on its row and on the done step', async () => {
    const w = setupWizard();
    await flashStickAndBigDisk(w.user, w.store);
    // the GUI speaks German from here on (every text is rendered again from the catalogue)
    setLocale('de');
    const push = (ev: JobEvent, status?: 'done') => act(() => w.fake.emit('jobs.event', jobNotice(w.services, ev, {}, status)));
    const failed = helperReadBackFailure('t2-sde', bigDisk.device);
    expect(failed.message).toMatch(/^verify failed: the 4194304-byte chunk at byte 12582912 reads back differently/);
    push({ kind: 'target-done', targetId: 't1-sdb', verified: true });
    push({ ...failed, targetId: 't2-sde' });
    const german = 'der Stick liest sich anders zurück als geschrieben, in den 4,2 MB ab Byte 12.582.912 (zurücklesen); vielleicht ist er defekt: schreiben Sie ihn neu oder nehmen Sie einen anderen Stick';
    const row = document.querySelector<HTMLLIElement>('li.progress-row[data-target="t2-sde"]')!;
    expect(row.textContent).toContain(german);
    push({ kind: 'done', results: [{ targetId: 't1-sdb', ok: true, verified: true }, { targetId: 't2-sde', ok: false, verified: false, message: failed.message, failure: failed.failure! }] }, 'done');
    const result = document.querySelector('[data-result="t2-sde"]')!;
    const text = result.querySelector('[data-testid="result-text"]')!.textContent!;
    expect(text).toContain(german);
    expect(text).not.toContain('reads back differently');
    expect(englishIn([text]), text).toEqual([]);
  });

  it('says the helper’s failed verify checks in German on its row and on the done step', async () => {
    const w = setupWizard();
    await flashStickAndBigDisk(w.user, w.store);
    setLocale('de');
    const push = (ev: JobEvent, status?: 'done') => act(() => w.fake.emit('jobs.event', jobNotice(w.services, ev, {}, status)));
    const failed = helperReadBackFailure('t2-sde', bigDisk.device, helperVerifyFailure());
    expect(failed.message).toMatch(/^verify failed: ESP file \/loader\/loader\.conf reads back with sha256/);
    push({ kind: 'target-done', targetId: 't1-sdb', verified: true });
    push({ ...failed, targetId: 't2-sde' });
    const german = /ESP-Dateien: ESP-Datei \/loader\/loader\.conf liest sich mit SHA-256 [0-9a-f]{64} zurück, erwartet war [0-9a-f]{64}; Caches: Cache apt: liest sich als 1 Dateien \/ 17 B mit Manifest-SHA-256 [0-9a-f]{64} zurück, erwartet waren 2 Dateien \/ 3,1 MB mit [0-9a-f]{64}/;
    const row = document.querySelector<HTMLLIElement>('li.progress-row[data-target="t2-sde"]')!;
    expect(row.textContent).toMatch(german);
    push({ kind: 'done', results: [{ targetId: 't1-sdb', ok: true, verified: true }, { targetId: 't2-sde', ok: false, verified: false, message: failed.message, failure: failed.failure! }] }, 'done');
    const text = document.querySelector('[data-result="t2-sde"] [data-testid="result-text"]')!.textContent!;
    expect(text).toMatch(german);
    expect(text).not.toContain('reads back with sha256');
    expect(englishIn([text.replace(/\b[0-9a-f]{64}\b/g, '…').replace(/\bapt\b/g, '…')]), text).toEqual([]);
  });
});
