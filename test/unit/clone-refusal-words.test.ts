// A clone job's refusals in the reader's language: each reason the helper types (src-shared/job/clone-refusal.ts)
// said in German with no English left, and a real clone job that refuses its source sends the typed reason (not
// its English sentence in a frame), so a German reader is told why in German.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCloneJob } from '../../helpers/steps/clone-run.ts';
import { failureWords } from '../../src-shared/errors/failure-words.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { CloneRefusalSchema, type CloneRefusal } from '../../src-shared/job/clone-refusal.ts';
import type { JobEvent, TargetFailedEvent } from '../../src-shared/job/events.ts';
import { TargetFailureSchema } from '../../src-shared/job/target-failure.ts';
import { englishIn } from '../support/untranslated.ts';

/** One refusal of each reason, with the names and numbers the helper sends. */
const REFUSALS: CloneRefusal[] = [
  { reason: 'source-missing', source: '/dev/sdy' },
  { reason: 'source-not-disk', source: '/srv/sticks' },
  { reason: 'source-mounted', source: '/dev/sdy', at: ['/media/class-01'] },
  { reason: 'source-zstd', source: '/srv/class.img.zst' },
  { reason: 'source-esp-damaged', file: '::/iios/profiles/classroom.json' },
  { reason: 'source-no-profile', hostname: 'class-01' },
  { reason: 'source-no-manifest', slot: 'b', bundle: 'demo-os', version: '1.3' },
  { reason: 'target-is-source', target: '/dev/sdy' },
  { reason: 'target-not-block', target: '/dev/sdz' },
  { reason: 'target-no-folder', target: '/srv/none/class.img' },
  { reason: 'target-loop-of-source', target: '/dev/loop7' },
  { reason: 'target-too-small', target: '/dev/sdz', sizeBytes: 7.8e9, neededBytes: 15.6e9, source: 'class-01' },
  { reason: 'target-too-small', target: '/dev/sdz', sizeBytes: 7.8e9, neededBytes: 15.6e9, source: null },
];

afterEach(() => setLocale('en'));

describe('a clone job’s refusal in the reader’s language', () => {
  it('the table covers every reason', () => {
    const reasons = CloneRefusalSchema.options.map((o) => o.shape.reason.value);
    expect(new Set(REFUSALS.map((r) => r.reason))).toEqual(new Set(reasons));
  });

  it.each(REFUSALS.map((r) => [r.reason, r] as const))('%s: said in German with no English left', (_, refusal) => {
    const failure = TargetFailureSchema.parse({ key: 'clone-refused', refusals: [refusal], target: '', reasons: [] });
    setLocale('de');
    const text = failureWords(failure, 'refused before writing anything: …');
    expect(text).toMatch(/^Abgelehnt, bevor etwas geschrieben wurde\. /);
    expect(englishIn([text]), text).toEqual([]);
    setLocale('en');
    expect(failureWords(failure, '')).toMatch(/^Refused before anything was written\. /);
  });

  it('a target too small says the size it has and the size the clone needs, the reader’s way', () => {
    const failure = TargetFailureSchema.parse({ key: 'clone-refused', refusals: [REFUSALS.find((r) => r.reason === 'target-too-small')], target: '/dev/sdz', reasons: ['mounted'] });
    setLocale('de');
    const text = failureWords(failure, '');
    expect(text).toMatch(/fasst 7,8 GB, ein Klon von „class-01“ braucht aber 15,6 GB\..*eingehängt/);
    expect(englishIn([text]), text).toEqual([]);
  });
});

describe('a clone job that refuses its source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iios-clone-refusal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const refused = async (sourcePath: string): Promise<TargetFailedEvent> => {
    const events: JobEvent[] = [];
    const job = { kind: 'clone', jobId: 'j1', sourcePath, targets: [{ id: 't1', kind: 'image-file', path: join(dir, 'class.img'), sizeBytes: 8 * 1024 ** 3, hostname: 'class-01' }] };
    await runCloneJob(job, (e) => events.push(e), new AbortController().signal);
    const ev = events.find((e): e is TargetFailedEvent => e.kind === 'target-failed');
    if (!ev) throw new Error(`no target-failed event: ${JSON.stringify(events)}`);
    return ev;
  };

  it.each([
    ['a source that does not exist', () => join(dir, 'none.img'), 'source-missing', /gibt es nicht/],
    ['a source that is a folder', () => dir, 'source-not-disk', /weder ein Stick noch eine Abbild-Datei/],
  ] as const)('%s: typed by the helper, said in German with no English left', async (_, source, reason, german) => {
    const ev = await refused(source());
    expect(ev.failure).toMatchObject({ key: 'clone-refused', refusals: [{ reason }] });
    // the English sentence stays for the log
    expect(ev.message).toMatch(/^refused before writing anything: the source /);
    setLocale('de');
    const text = failureWords(ev.failure, ev.message);
    expect(text).toMatch(german);
    expect(englishIn([text]), text).toEqual([]);
  });

  it('a target too small for a raw clone, and a target that is the source: each typed with its own reason and sizes', async () => {
    // a disk with no partition table: cloned raw, byte for byte, so a target needs all of its 4 MiB
    const source = join(dir, 'disk.img');
    writeFileSync(source, Buffer.alloc(4 * 1024 * 1024));
    const events: JobEvent[] = [];
    const targets = [
      { id: 't1', kind: 'image-file', path: join(dir, 'small.img'), sizeBytes: 1024 * 1024, hostname: 'class-01' },
      // the source by another spelling (the job's schema refuses the same string already)
      { id: 't2', kind: 'image-file', path: `${dir}/./disk.img`, sizeBytes: 4 * 1024 * 1024, hostname: 'class-02' },
    ];
    await runCloneJob({ kind: 'clone', jobId: 'j2', sourcePath: source, targets }, (e) => events.push(e), new AbortController().signal);
    const failed = (id: string) => {
      const ev = events.find((e): e is TargetFailedEvent => e.kind === 'target-failed' && e.targetId === id);
      if (!ev) throw new Error(`no target-failed event for ${id}: ${JSON.stringify(events)}`);
      return ev;
    };
    expect(failed('t1').failure).toEqual({ key: 'clone-refused', target: targets[0]!.path, reasons: [], refusals: [{ reason: 'target-too-small', target: targets[0]!.path, sizeBytes: 1024 * 1024, neededBytes: 4 * 1024 * 1024, source: null }] });
    expect(failed('t2').failure).toMatchObject({ key: 'clone-refused', refusals: [{ reason: 'target-is-source', target: targets[1]!.path }] });
    setLocale('de');
    for (const id of ['t1', 't2']) {
      const text = failureWords(failed(id).failure, failed(id).message);
      expect(englishIn([text]), text).toEqual([]);
    }
    expect(failureWords(failed('t1').failure, '')).toMatch(/fasst 1,0 MB, eine Rohkopie der Quelle braucht aber 4,2 MB/);
  });
});
