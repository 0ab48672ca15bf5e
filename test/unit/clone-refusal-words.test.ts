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
import { planClone } from '../../helpers/steps/clone-plan.ts';
import type { IiosSource } from '../../helpers/steps/clone-source.ts';
import { cloneRefusalWords } from '../../src-shared/errors/clone-refusal-words.ts';
import { PlanError, PlanProblemSchema, type PlanProblem } from '../../src-shared/layout/index.ts';
import { builtInProfiles, demoManifest } from './wizard/support/fake-services.ts';

/** One plan problem of each reason (src-shared/layout/plan-problem.ts), with the names and numbers the planner sends. */
const PLAN_PROBLEMS: PlanProblem[] = [
  { reason: 'esp-too-small', slots: 1, sizeBytes: 64e6, neededBytes: 180e6 },
  { reason: 'esp-too-small', slots: 2, sizeBytes: 64e6, neededBytes: 180e6 },
  { reason: 'rootfs-kind', profile: 'appliance', kinds: ['squashfs', 'erofs'], kind: 'ext4' },
  { reason: 'no-verity', profile: 'appliance' },
  { reason: 'content-too-big', partition: 'iios-root-a', sizeBytes: 1e9, contentBytes: 1.4e9 },
  { reason: 'btrfs-too-small', partition: 'iios-data', sizeBytes: 64e6, minBytes: 256e6 },
  { reason: 'needs-image', profile: 'raw' },
  { reason: 'needs-bundle', profile: 'appliance' },
  { reason: 'profile-size', field: 'partitions[2].size', text: '12 parsecs' },
  { reason: 'bad-value', what: 'sector-size', value: '1024' },
  { reason: 'bad-value', what: 'target-size', value: '1.5' },
  { reason: 'bad-value', what: 'image-size', value: '0' },
  { reason: 'bad-value', what: 'guid', value: '1234-zz' },
  { reason: 'missing-partition', profile: 'appliance', partition: 'iios-data' },
  { reason: 'no-slot' },
];

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
  // a target the clone cannot be laid out on for another reason than its size: each reason the planner types
  ...PLAN_PROBLEMS.map((problem): CloneRefusal => ({ reason: 'target-plan', target: '/dev/sdz', problem })),
];

afterEach(() => setLocale('en'));

describe('a clone job’s refusal in the reader’s language', () => {
  it('the table covers every reason', () => {
    const reasons = CloneRefusalSchema.options.map((o) => o.shape.reason.value);
    expect(new Set(REFUSALS.map((r) => r.reason))).toEqual(new Set(reasons));
  });

  it('the plan problems cover every reason the planner types', () => {
    const reasons = PlanProblemSchema.options.map((o) => o.shape.reason.value);
    expect(new Set(PLAN_PROBLEMS.map((p) => p.reason))).toEqual(new Set(reasons));
  });

  it.each(REFUSALS.map((r) => [r.reason === 'target-plan' ? `target-plan ${r.problem.reason}` : r.reason, r] as const))('%s: said in German with no English left', (_, refusal) => {
    const failure = TargetFailureSchema.parse({ key: 'clone-refused', refusals: [refusal], target: '', reasons: [] });
    setLocale('de');
    const text = failureWords(failure, 'refused before writing anything: …');
    expect(text).toMatch(/^Abgelehnt, bevor etwas geschrieben wurde\. /);
    // a profile's field path (partitions[2].size) is data, the same in every language
    expect(englishIn([text.replace(/\S+\.size\b/g, '…')]), text).toEqual([]);
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

describe('the clone planner types every failure but a size', () => {
  const appliance = builtInProfiles().find((p) => p.id === 'appliance')!;
  const noVerity = { ...demoManifest, verity: undefined } as unknown as typeof demoManifest;
  const sources: [string, IiosSource, PlanProblem['reason']][] = [
    ['a stick that records no slot', { profile: appliance, manifests: {}, btrfs: [] } as unknown as IiosSource, 'no-slot'],
    ['content on a partition its profile lacks', { profile: appliance, manifests: { a: demoManifest }, btrfs: [{ part: { name: 'iios-home' }, usedBytes: 1 }] } as unknown as IiosSource, 'missing-partition'],
    ['an A/B stick whose system has no verity hash tree', { profile: appliance, manifests: { a: noVerity }, btrfs: [] } as unknown as IiosSource, 'no-verity'],
  ];
  it.each(sources)('%s: a typed problem, said in German with no English left', (_, src, reason) => {
    let err: unknown = null;
    try {
      planClone(src, 16 * 1024 ** 3);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlanError);
    const problem = (err as PlanError).problem;
    expect(problem?.reason).toBe(reason);
    setLocale('de');
    const text = cloneRefusalWords({ reason: 'target-plan', target: '/dev/sdz', problem: problem! });
    expect(englishIn([text]), text).toEqual([]);
    expect(text).toMatch(/^\/dev\/sdz kann den Klon nicht aufnehmen: /);
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
