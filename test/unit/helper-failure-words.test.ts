// The root helper's failure messages in the reader's language. Every message the helper can fail a target with
// (each `new Error(…)`, `new FailureError(…)` in helpers/, found in the source) is listed here with the typed
// failure it reaches the GUI and the CLI as: its own key, or the translated frame around the English detail
// ('step', 'refused-text'). A new message that is not listed fails this test, so it gets a key or is listed as
// framed on purpose. Then the failures the helper types are said in German with no English left, from the
// events a real TargetCtx emits.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TargetCtx } from '../../helpers/context.ts';
import { ChunkMismatch } from '../../helpers/io/read-back.ts';
import { FailureError } from '../../helpers/context.ts';
import { failureWords } from '../../src-shared/errors/failure-words.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import type { JobEvent, Phase, TargetFailedEvent } from '../../src-shared/job/events.ts';
import { StickRefusalSchema, type StickRefusal } from '../../src-shared/job/stick-refusal.ts';
import { TargetFailureSchema, type TargetFailureKey } from '../../src-shared/job/target-failure.ts';
import { keptOldFrame } from '../../helpers/steps/update-kept-old.ts';
import { summary } from '../../src-main/cli/progress-view.ts';
import { applyEvent, initialSnapshot } from '../../src-main/services/jobs/job-state.ts';
import { planStickJobWork } from '../../src-shared/progress/work-plan.ts';
import type { PartitionPlan } from '../../src-shared/layout/index.ts';
import type { ImageProfile } from '../../src-shared/profile/image-profile.ts';
import { englishIn } from '../support/untranslated.ts';
import { judgeCaches, judgeEspFiles } from '../../src-shared/verify/stick-checks.ts';

const HELPERS = resolve(import.meta.dirname, '../../helpers');

/** The helper's messages, by their first 40 characters, and the typed failure each reaches the reader as. */
const SAID: Record<string, TargetFailureKey> = {
  "${this.target.path} is not created yet": 'step',
  "the plan has no ${role} partition": 'step',
  "device gone": 'removed',
  "cannot find the primary group of user ${": 'step',
  "${shownPath}: the new image file was cha": 'step',
  "a chunk is at most ${CHUNK_BYTES} bytes,": 'step',
  "the device accepted no more data": 'removed',
  "no write finished for a minute": 'removed',
  "the source read differently the second t": 'source-changed',
  "the image ended at byte ${at + got} when": 'source-changed',
  "the source ended after ${merged.bytes} b": 'step',
  "cancelled": 'cancelled',
  "the source ended after ${pos} bytes, exp": 'step',
  "threadHasher needs shared buffers": 'step',
  "chunk hash worker: ${m.error}": 'step',
  "no chunk digests to verify against": 'step',
  "read back ended early at byte ${byte}": 'read-short',
  "${tool} could not decompress ${path}: ${": 'step',
  "the first chunk must be read whole": 'step',
  "the held-back head cannot be read again": 'step',
  "the image's first MiB (its partition tab": 'read-back',
  "the image changed while it was written (": 'step',
  "still in use after unmounting: ${[...bus": 'step',
  "the stamp did not read back as complete": 'step',
  "bundle ${m.name} has no verity hash tree": 'step',
  "the writable profile cannot unpack a ${m": 'step',
  "snapshot ${s.path}: only read-only snaps": 'step',
  "cache ${c.kind}: ${c.path} is not a dire": 'step',
  "cache ${c.kind}: ${c.path} changed since": 'step',
  "the source's subvolumes cannot be ordere": 'step',
  "${p.name} is ${p.sizeBytes} bytes, too s": 'step',
  "the source's slot ${slot} reads with sha": 'source-slot-damaged',
  "the stick's ESP file ${fatPath} reads wi": 'clone-refused',
  "the stick \"${stamp.hostname}\" carries no": 'clone-refused',
  "slot ${slot}: the manifest of the bundle": 'clone-refused',
  "the source ${given} does not exist": 'clone-refused',
  "the source ${given} is neither a block d": 'clone-refused',
  "the source ${given} is mounted read-writ": 'clone-refused',
  "the source ${given} is zstd-compressed: ": 'clone-refused',
  "partition ${want.index} (${want.name}) i": 'step',
  "partition ${want.index} (${want.name}) d": 'step',
  "the disk GUID did not come out as planne": 'step',
  "the table holds partitions that were not": 'step',
  "it is not a complete iios stick (its sta": 'stick-refused',
  "its ${stamp.profile} profile has no payl": 'stick-refused',
  "the payload is ${total} bytes; the stick": 'stick-refused',
  "payload ${f.sourcePath} is a symbolic li": 'step',
  "the bundle file ${name} changed while it": 'step',
  "the stick's ${p.name} partition is not w": 'stick-refused',
  "this is not an iios stick: it has no iio": 'stick-refused',
  "the stick carries no profile in @iios/pr": 'stick-refused',
  "the stick's bundle is not in @iios/bundl": 'stick-refused',
  "the stick's bundle ${names[0]} is not in": 'stick-refused',
  "the stick's stored bundle file ${name} i": 'stick-refused',
  "reset needs a writable system; this stic": 'stick-refused',
  "the stick has no @snapshots/factory snap": 'stick-refused',
  "${path} is not a complete iios stick (no": 'stick-refused',
  "${path} has no good slot to take a bundl": 'stick-refused',
  "it is not an iios stick (no readable sta": 'stick-refused',
  "its last write did not finish (the stamp": 'stick-refused',
  "its ${stamp.profile} profile has no A/B ": 'stick-refused',
  "the bundle ${m.name} ${m.version} has no": 'stick-refused',
  "the bundle ${m.name} ${m.version} needs ": 'stick-refused',
  "slot ${x} does not verify after the upda": 'verify-failed',
  "${fat} on the ESP does not read back as ": 'verify-failed',
  "the test gate ${gate} did not open": 'step',
  "the plan has no partition with @caches f": 'step',
  "${ctx.target.path}: its folder was not c": 'step',
  "the stick is not a complete iios stick (": 'stick-refused',
};

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sources(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

interface Thrown {
  file: string;
  /** The typed failure a FailureError is thrown with (null for a plain Error). */
  key: string | null;
}

/** Each message thrown in helpers/ (its tools' typed ToolErrors and main.ts's start-up usage reach no target). */
function helperMessages(): Map<string, Thrown> {
  const out = new Map<string, Thrown>();
  const literal = '`[^`]*`|\'[^\']*\'|"[^"]*"';
  // the message (a literal, or literals joined with +), then a FailureError's `{ key: '…'`
  const thrown = new RegExp(`new (Error|FailureError)\\(\\s*(${literal})((?:\\s*\\+\\s*(?:${literal}))*)(?:\\s*,\\s*\\{\\s*key:\\s*'([a-z-]+)')?`, 'g');
  for (const file of sources(HELPERS)) {
    const rel = file.slice(HELPERS.length + 1);
    if (rel.startsWith('tools/') || rel === 'main.ts') continue;
    for (const m of readFileSync(file, 'utf8').matchAll(thrown)) out.set(m[2]!.slice(1, -1).slice(0, 40), { file: rel, key: m[1] === 'FailureError' ? (m[4] ?? '?') : null });
  }
  return out;
}

/** The keys the helper gives a plain Error itself (context.ts describeFailure): the rest need a FailureError. */
const FROM_PLAIN_ERRORS: readonly TargetFailureKey[] = ['step', 'refused-text', 'removed', 'cancelled', 'no-space'];
/** The clone job's own refusals of its source: each typed, none left as English text. */
const CLONE_JOB = ['steps/clone-run.ts', 'steps/clone-source.ts', 'steps/clone-plan.ts'];
/** The jobs on a stick that is already there: each of their refusals is typed, none left as English text. */
const STICK_JOBS = ['steps/stick-job.ts', 'steps/payload-run.ts', 'steps/update-run.ts', 'steps/stick-refusals.ts'];

afterEach(() => setLocale('en'));

describe('the helper messages that fail a target', () => {
  it('each is listed with the typed failure it is said as (a new one without an entry fails here)', () => {
    const found = helperMessages();
    const unlisted = [...found].filter(([m]) => !(m in SAID)).map(([m, { file }]) => `${file}: ${m}`);
    expect(unlisted, 'give these a key in src-shared/job/target-failure.ts, or list them as framed').toEqual([]);
    const gone = Object.keys(SAID).filter((m) => !found.has(m));
    expect(gone, 'listed here but no longer in helpers/').toEqual([]);
  });

  it('each is thrown with the typed failure it is listed with (a FailureError with that key)', () => {
    const wrong = [...helperMessages()].flatMap(([m, { file, key }]) => {
      const listed = SAID[m];
      if (!listed) return [];
      if (key === null) return FROM_PLAIN_ERRORS.includes(listed) ? [] : [`${file}: ${m} is a plain Error, listed as ${listed}`];
      return key === listed ? [] : [`${file}: ${m} is thrown as ${key}, listed as ${listed}`];
    });
    expect(wrong).toEqual([]);
  });

  it('no repair, reset, payload or update refusal is left as English text in a frame', () => {
    const framed = [...helperMessages()].filter(([m, { file }]) => STICK_JOBS.includes(file) && SAID[m] === 'refused-text').map(([m, { file }]) => `${file}: ${m}`);
    expect(framed, 'give these a reason in src-shared/job/stick-refusal.ts').toEqual([]);
  });

  it('no refusal of the clone job is left as English text in a frame', () => {
    const framed = [...helperMessages()].filter(([m, { file }]) => CLONE_JOB.includes(file) && SAID[m] === 'refused-text').map(([m, { file }]) => `${file}: ${m}`);
    expect(framed, 'give these a reason in src-shared/job/clone-refusal.ts').toEqual([]);
  });
});

/** What the helper's verify throws when checks other than a slot's fail (helpers/steps/verify.ts), from the shared judges. */
function verifyFailed(): FailureError {
  const failed = [
    judgeEspFiles([{ path: '/loader/loader.conf', want: 'ab'.repeat(32), got: null }]),
    judgeCaches([{ kind: 'apt', files: 2, sizeBytes: 20, manifestSha256: 'cd'.repeat(32) }], new Map([['apt', null]])),
  ];
  const [first, ...more] = failed.map((c) => ({ id: c.id, ok: c.ok, said: c.said }));
  return new FailureError(failed.map((c) => c.detail).join('; '), { key: 'verify-failed', checks: [first!, ...more] });
}

function failedTarget(kind: 'device' | 'image-file' = 'image-file') {
  const events: JobEvent[] = [];
  const path = kind === 'device' ? '/dev/iios-no-such-disk' : '/tmp/iios-words-none/class.img';
  const ctx = new TargetCtx({ id: 't1', kind, path, sizeBytes: 8 * 1024 ** 3, hostname: 'class-01' }, { partitions: [] } as unknown as PartitionPlan, { id: 'classroom' } as ImageProfile, (e) => events.push(e), new AbortController().signal);
  const failed = (phase: Phase, err: unknown): TargetFailedEvent => {
    ctx.enter(phase);
    ctx.fail(err);
    const ev = events.find((e): e is TargetFailedEvent => e.kind === 'target-failed');
    if (!ev) throw new Error('no target-failed event');
    return ev;
  };
  return failed;
}

describe('a failed target in the reader’s language', () => {
  const cases: [string, () => TargetFailedEvent, TargetFailureKey, RegExp][] = [
    ['a read-back that differs at a byte', () => failedTarget()('verify', new ChunkMismatch(12_582_912, 4_194_304, 'xxh128 00, written ff')), 'read-back', /Byte 12\.582\.912/],
    ['a stick pulled mid-write (a device that is gone)', () => failedTarget('device')('slots', new Error('device gone')), 'removed', /abgezogen oder antwortet nicht mehr \(System schreiben\)/],
    ['a write that never finished', () => failedTarget()('slots', Object.assign(new Error('no write finished for a minute'), { stalled: true })), 'removed', /abgezogen/],
    ['an image file whose folder is full', () => failedTarget()('btrfs', Object.assign(new Error('write failed'), { code: 'ENOSPC' })), 'no-space', /Ordner der Abbild-Datei ist voll/],
    ['the source changing under the write', () => failedTarget()('slots', new FailureError('the source read differently the second time at byte 1048576: it changed while it was written', { key: 'source-changed', byte: 1_048_576 })), 'source-changed', /ab Byte 1\.048\.576/],
    ['a raw read-back chunk that names its first differing byte', () => failedTarget()('verify', new ChunkMismatch(8_388_608, 4_194_304, "its byte 8400000 differs from the image's", 8_400_000)), 'read-back', /zuerst bei Byte 8\.400\.000/],
    ['a clone whose source slot reads damaged', () => failedTarget()('slots', new FailureError("the source's slot b reads with sha256 …", { key: 'source-slot-damaged', slot: 'b' })), 'source-slot-damaged', /sein Slot B liest sich anders/],
    ['verify checks that failed (the ESP files and the caches)', () => failedTarget()('verify', verifyFailed()), 'verify-failed', /ESP-Dateien: ESP-Datei \/loader\/loader\.conf fehlt; Caches: Cache apt: @caches\/apt fehlt\. Schreiben Sie ihn neu/],
  ];
  it.each(cases)('%s: typed by the helper, said in German with no English left', (_, make, key, german) => {
    const ev = make();
    expect(ev.failure?.key).toBe(key);
    // the English sentence stays for the log
    expect(ev.message).toMatch(/^[a-z]/);
    setLocale('de');
    const text = failureWords(ev.failure, ev.message);
    expect(text).toMatch(german);
    expect(englishIn([text]), text).toEqual([]);
    setLocale('en');
    expect(failureWords(ev.failure, ev.message)).not.toBe(text);
  });

  it('a message without its own key: the English detail inside a German frame naming the step', () => {
    const ev = failedTarget()('partition', new Error('the table holds partitions that were not planned: 5'));
    expect(ev.failure).toEqual({ key: 'step', phase: 'partition', text: 'the table holds partitions that were not planned: 5' });
    setLocale('de');
    expect(failureWords(ev.failure, ev.message)).toBe('Fehler beim Schritt „partitionieren“: the table holds partitions that were not planned: 5');
    setLocale('en');
    expect(failureWords(ev.failure, ev.message)).toBe('partitioning failed: the table holds partitions that were not planned: 5');
  });

  it('a reader that got no typed failure (an older helper) shows the sentence as it came', () => {
    setLocale('de');
    expect(failureWords(undefined, 'verify failed: x')).toBe('verify failed: x');
  });
});

/** One refusal of each reason, with the numbers and names the helper sends. */
const REFUSALS: StickRefusal[] = [
  { reason: 'not-iios' },
  { reason: 'incomplete' },
  { reason: 'layout-differs', partition: 'iios-data', profile: 'classroom' },
  { reason: 'no-profile' },
  { reason: 'no-bundle', bundle: null },
  { reason: 'no-bundle', bundle: 'demo-os-1.2' },
  { reason: 'bundle-damaged', file: 'vmlinuz' },
  { reason: 'not-writable', profile: 'appliance', mode: 'ab' },
  { reason: 'no-factory' },
  { reason: 'no-payload-partition', profile: 'classroom' },
  { reason: 'payload-too-big', bytes: 300e6, roomBytes: 60e6, partBytes: 64 * 1024 ** 2 },
  { reason: 'no-ab', profile: 'classroom' },
  { reason: 'bundle-no-verity', bundle: 'demo-os', version: '1.3' },
  { reason: 'slot-too-small', bundle: 'demo-os', version: '1.3', slot: 'b', rootBytes: 900e6, verityBytes: 8e6, slotRootBytes: 512 * 1024 ** 2, slotVerityBytes: 8 * 1024 ** 2 },
  { reason: 'source-incomplete', source: '/dev/sdy' },
  { reason: 'source-no-good-slot', source: '/dev/sdy' },
];

describe('a stick that a repair, reset, payload or update job refuses, in the reader’s language', () => {
  it('the table covers every reason', () => {
    const reasons = StickRefusalSchema.options.map((o) => o.shape.reason.value);
    expect(new Set(REFUSALS.map((r) => r.reason))).toEqual(new Set(reasons));
  });

  it.each(REFUSALS.map((r) => [r.reason, r] as const))('%s: said in German with no English left', (_, refusal) => {
    const failure = TargetFailureSchema.parse({ key: 'stick-refused', refusal });
    setLocale('de');
    const text = failureWords(failure, 'refused before changing anything: …');
    expect(text).toMatch(/^abgelehnt, bevor etwas verändert wurde: /);
    expect(englishIn([text]), text).toEqual([]);
    setLocale('en');
    expect(failureWords(failure, '')).toMatch(/^refused before changing anything: /);
  });

  it('a FailureError thrown with a refusal reaches the reader as that refusal', () => {
    const ev = failedTarget()('btrfs', new FailureError('the stick has no @snapshots/factory snapshot to reset to', { key: 'stick-refused', refusal: { reason: 'no-factory' } }));
    expect(ev.failure).toEqual({ key: 'stick-refused', refusal: { reason: 'no-factory' } });
  });
});

/** A target of an update that is framed as update-run.ts frames it: old slot A with 1.2 until the entry is on. */
function updateTarget(kind: 'device' | 'image-file' = 'image-file') {
  const events: JobEvent[] = [];
  const job = new AbortController();
  // a device that is not there reads as pulled (deviceGone); an image file is the same target otherwise
  const path = kind === 'device' ? '/dev/iios-no-such-disk' : '/tmp/iios-words-none/update.img';
  const ctx = new TargetCtx({ id: 't1', kind, path, sizeBytes: 8 * 1024 ** 3, hostname: 'class-01' }, { partitions: [] } as unknown as PartitionPlan, { id: 'appliance' } as ImageProfile, (e) => events.push(e), job.signal);
  let entryOn = false;
  ctx.frameFailure = keptOldFrame('a', '1.2', () => entryOn);
  const fail = (phase: Phase, err: unknown): TargetFailedEvent => {
    ctx.enter(phase);
    ctx.fail(err);
    const ev = events.find((e): e is TargetFailedEvent => e.kind === 'target-failed');
    if (!ev) throw new Error('no target-failed event');
    return ev;
  };
  return { fail, cancel: () => job.abort(), entryOn: () => (entryOn = true) };
}

describe('an A/B update that stops before its new slot boots, in the reader’s language', () => {
  const cases: [string, (u: ReturnType<typeof updateTarget>) => TargetFailedEvent, TargetFailureKey][] = [
    ['a stick pulled while the new slot is written', (u) => u.fail('slots', new Error('device gone')), 'removed'],
    ['a cancel while the new slot is written', (u) => (u.cancel(), u.fail('slots', new Error('cancelled'))), 'cancelled'],
    ['the new slot failing its verity check', (u) => u.fail('verify', new Error('slot b does not verify after the update: verification failed')), 'step'],
    [
      'the new slot failing its verity check, typed as the update throws it',
      (u) =>
        u.fail(
          'verify',
          new FailureError('slot b does not verify after the update: TOOL-OUTPUT', { key: 'verify-failed', checks: [{ id: { check: 'slot-verity', slot: 'b' }, ok: false, said: { key: 'verity-fails', slot: 'b', rootHash: 'ab'.repeat(6), why: 'TOOL-OUTPUT' } }] }),
        ),
      'verify-failed',
    ],
  ];
  it.each(cases)('%s: says the stick was not changed and still starts its old system, in German with no English left', (_, make, cause) => {
    const ev = make(updateTarget(cause === 'removed' ? 'device' : 'image-file'));
    expect(ev.failure).toMatchObject({ key: 'update-kept-old', slot: 'a', version: '1.2', cause: { key: cause } });
    // the log keeps the English sentence, which says the same
    expect(ev.message).toMatch(/the stick still boots slot a \(1\.2\)$/);
    setLocale('de');
    const text = failureWords(ev.failure, ev.message);
    expect(text).toMatch(/Der Stick wurde nicht verändert: er startet weiterhin 1\.2 aus Slot A\. Stecken Sie ihn wieder ein/);
    // a step's own English detail is the helper's words inside the German frame
    const ours = (ev.failure?.key === 'update-kept-old' && ev.failure.cause.key === 'step' ? text.replace(ev.failure.cause.text, '…') : text).replace(/TOOL-OUTPUT|\b[0-9a-f]{12}…/g, '…');
    expect(englishIn([ours]), text).toEqual([]);
    // never "nothing on it is usable" nor "incomplete": it is neither
    expect(text).not.toMatch(/unbrauchbar|nichts darauf ist brauchbar|unvollständig/);
    setLocale('en');
    expect(failureWords(ev.failure, ev.message)).toMatch(/The stick was not changed: it still starts 1\.2 from slot A\./);
  });

  it('a cancelled update’s line in the CLI’s closing summary says the stick still starts its old system, not that it is incomplete', () => {
    const ev = updateTarget().fail('slots', new Error('x'));
    const cancelled = (() => {
      const u = updateTarget();
      u.cancel();
      return u.fail('slots', new Error('cancelled'));
    })();
    expect(cancelled.cancelled).toBe(true);
    for (const failed of [ev, cancelled]) {
      let s = initialSnapshot('job-1', [{ id: 't1', path: '/dev/sdz', hostname: 'class-01' }], planStickJobWork('update'));
      s = applyEvent(applyEvent(s, failed), { kind: 'done', results: [{ targetId: 't1', ok: false, verified: false, message: failed.message }] });
      setLocale('de');
      const text = summary(s);
      expect(text).toMatch(/er startet weiterhin 1\.2 aus Slot A/);
      expect(text).not.toMatch(/unvollständig/);
      setLocale('en');
    }
  });

  it('once the new slot’s entry is on, a failure is said as it is (the stick boots the new system)', () => {
    const u = updateTarget();
    u.entryOn();
    const ev = u.fail('stamp', new Error('the stamp did not read back as complete'));
    expect(ev.failure).toEqual({ key: 'step', phase: 'stamp', text: 'the stamp did not read back as complete' });
  });
});
