// The shared drive rules (a busy disk, an image file's path, what is at it, its folder) hand out their refusals
// typed, and the app's preflight and a write request pass them on typed: a main process speaking English refuses,
// and a German reader says the refusal in German with no English left. A rule or a sender that handed out only its
// sentence (in the language of the process that applied it) fails here.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { checkImageFolder } from '../../src-main/services/drives/image-folder.ts';
import { describeTarget } from '../../src-main/services/jobs/job-request.ts';
import { preflightProblems } from '../../src-main/services/jobs/preflight.ts';
import { busyVerdict } from '../../src-shared/drives/busy.ts';
import { existingImageFileRule, imageFilePathRule } from '../../src-shared/drives/image-file-target.ts';
import { imageFolderVerdict, type ImageFolderFacts } from '../../src-shared/drives/image-folder.ts';
import type { LsblkDevice } from '../../src-shared/drives/inventory.ts';
import { errorWords } from '../../src-shared/errors/error-words.ts';
import { failureWords } from '../../src-shared/errors/failure-words.ts';
import { prepare, RefusedError } from '../../helpers/prepare.ts';
import { preflightWords } from '../../src-shared/errors/preflight-words.ts';
import { busyWords, imageFolderNoticeWords, imageFolderWords, imagePathWords } from '../../src-shared/errors/rule-words.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { WriteJob } from '../../src-shared/job/write-job.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { englishIn } from '../support/untranslated.ts';
import { demoManifest } from './wizard/support/fake-services.ts';

afterEach(() => setLocale('en'));

/** Said in German with no English left, and not the English the rule's own process said: the German words. */
function saysGerman(say: () => string, english: string | null): string {
  setLocale('de');
  const text = say();
  expect(englishIn([text]), text).toEqual([]);
  expect(text).not.toBe(english);
  setLocale('en');
  return text;
}

const disk = (name: string, mountpoints: string[] = []): LsblkDevice => ({ name, mountpoints, children: [] }) as unknown as LsblkDevice;

describe('the rules hand out their refusals typed', () => {
  it('busy.ts: a loop over the disk (mounted) and a kernel holder', () => {
    const facts = {
      loops: [{ dev: '/dev/loop7', backing: '/dev/sdy', offset: 1048576, sizeLimit: 0 }],
      holders: ['dm-0'],
      devices: [disk('/dev/loop7', ['/media/class-01'])],
    };
    const v = busyVerdict('/dev/sdy', facts, { unmountIfMounted: false });
    expect(v.problems.map((p) => p.said)).toEqual([
      { reason: 'loop', target: '/dev/sdy', loop: '/dev/loop7', offset: 1048576, sizeLimit: 0, mounts: ['/media/class-01'] },
      { reason: 'held', target: '/dev/sdy', holders: ['dm-0'] },
    ]);
    // the helper's log keeps its English sentence
    expect(v.problems[0]!.message).toMatch(/is in use: loop device \/dev\/loop7 covers bytes 1048576–the end of it, mounted at \/media\/class-01/);
    for (const p of v.problems) saysGerman(() => busyWords(p.said), p.message);
  });

  const paths: [string, string][] = [
    ['not a full path', 'sticks/class.img'],
    ['not an image name', '/srv/class.iso'],
    ['in a system folder', '/usr/lib/class.img'],
    ['in a folder of keys', '/home/ana/.gnupg/class.img'],
  ];
  it.each(paths)('image-file-target.ts: %s', (_, path) => {
    const p = imageFilePathRule(path);
    expect(p).not.toBeNull();
    saysGerman(() => imagePathWords(p!), imagePathWords(p!));
  });

  it('image-file-target.ts: what is at the path now', () => {
    const kinds = [
      { kind: 'symlink', sizeBytes: 0, head: new Uint8Array() },
      { kind: 'other', sizeBytes: 0, head: new Uint8Array() },
      { kind: 'file', sizeBytes: 12, head: new TextEncoder().encode('#!/bin/sh\n') },
    ] as const;
    for (const e of kinds) {
      const p = existingImageFileRule('/srv/class.img', e);
      expect(p).not.toBeNull();
      saysGerman(() => imagePathWords(p!), imagePathWords(p!));
    }
  });

  it('image-folder.ts: each refusal and the sparse notice', () => {
    const base: ImageFolderFacts = { folder: '/srv/sticks', kind: 'folder', existingParent: null, writable: true, freeBytes: 3e9, reclaimableBytes: 0 };
    const cases: ImageFolderFacts[] = [
      { ...base, kind: 'absent', existingParent: '/srv' },
      { ...base, kind: 'absent' },
      { ...base, kind: 'not-folder' },
      { ...base, writable: false },
      { ...base, freeBytes: 50e6 },
    ];
    for (const facts of cases) {
      const v = imageFolderVerdict('/srv/sticks/class.img', facts, { sizeBytes: 8e9, writeBytes: 1e9 });
      expect(v.said).not.toBeNull();
      saysGerman(() => imageFolderWords(v.said!), v.problem);
    }
    const ok = imageFolderVerdict('/srv/sticks/class.img', base, { sizeBytes: 8e9, writeBytes: 1e9 });
    expect(ok.noticeSaid).toEqual({ freeBytes: 3e9, sizeBytes: 8e9 });
    saysGerman(() => imageFolderNoticeWords(ok.noticeSaid!), ok.notice);
  });
});

/**
 * A raw write job whose three image-file targets the rules refuse: one in a system folder, one in a folder that
 * does not exist, one over a file that is no disk image (`notes`).
 */
function threeRefusedTargets(dir: string, jobId: string) {
  const image = join(dir, 'system.img');
  writeFileSync(image, Buffer.alloc(4 * 1024 * 1024));
  const notes = join(dir, 'notes.img');
  writeFileSync(notes, 'the lesson plan for Monday\n');
  const raw = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/raw.yaml'), 'utf8'), 'raw.yaml', 'raw');
  const big = 64 * 1024 * 1024;
  const job = WriteJob.parse({
    jobId,
    profile: raw,
    imagePath: image,
    targets: [
      { id: 't1', kind: 'image-file', path: '/etc/iios-class.img', sizeBytes: big, hostname: 'class-01' },
      { id: 't2', kind: 'image-file', path: join(dir, 'nope', 'class.img'), sizeBytes: big, hostname: 'class-02' },
      { id: 't3', kind: 'image-file', path: notes, sizeBytes: big, hostname: 'class-03' },
    ],
  });
  return { job, notes };
}

describe('the app passes the rules’ refusals on typed, whatever its own language', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iios-rule-words-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the real preflight: a system folder, a missing folder and a file that is no disk image', async () => {
    const { job, notes } = threeRefusedTargets(dir, 'rules');
    // the app's own language is English
    const problems = await preflightProblems(job);
    expect(problems.get('t1')).toContainEqual({ kind: 'image-path', problem: { reason: 'system-folder', path: '/etc/iios-class.img', folder: '/etc' } });
    expect(problems.get('t2')).toContainEqual({ kind: 'image-folder', problem: { reason: 'missing', folder: join(dir, 'nope'), parent: dir } });
    expect(problems.get('t3')).toContainEqual({ kind: 'image-path', problem: { reason: 'not-an-image', path: notes } });
    for (const ps of problems.values()) for (const p of ps) saysGerman(() => preflightWords(p), null);
  });

  it('the real preflight: a plan the planner cannot make for another reason than size', async () => {
    const appliance = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');
    // a system whose kernel is too big for the profile's ESP
    const manifest = { ...demoManifest, files: { ...demoManifest.files, [demoManifest.kernel]: { sha256: 'ab'.repeat(32), sizeBytes: 2 * 1024 ** 3 } } };
    const job = WriteJob.parse({ jobId: 'plan', profile: appliance, bundleDir: dir, manifest, targets: [{ id: 't1', kind: 'image-file', path: join(dir, 'class.img'), sizeBytes: 8 * 1024 ** 3, hostname: 'class-01' }] });
    const problems = (await preflightProblems(job)).get('t1') ?? [];
    expect(problems).toContainEqual({ kind: 'plan', path: join(dir, 'class.img'), problem: expect.objectContaining({ reason: 'esp-too-small', slots: 2 }) });
    for (const p of problems) expect(saysGerman(() => preflightWords(p), null)).toMatch(/lässt sich nicht aufteilen: die Startpartition IIOS-ESP fasst .*, aber die Startdateien von 2 Slots brauchen/);
  });

  it('a write request: an image file in a system folder, and the folder check the targets step asks', async () => {
    const err = await describeTarget('/etc/iios-class.img', 0, 1e9, { deviceBytes: async () => 0 }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err).not.toBeNull();
    expect(err!.message).toMatch(/is inside \/etc, a system folder/);
    // the rule's own reason, not only the kind of refusal
    expect(saysGerman(() => errorWords(err), err!.message)).toMatch(/liegt in \/etc, einem Systemordner/);

    mkdirSync(join(dir, 'file-folder-parent'), { recursive: true });
    writeFileSync(join(dir, 'file-folder-parent', 'sticks'), 'a file');
    const check = await checkImageFolder({ path: join(dir, 'file-folder-parent', 'sticks', 'class.img'), sizeBytes: 1e9 });
    expect(check.said).toEqual({ reason: 'not-folder', folder: join(dir, 'file-folder-parent', 'sticks') });
    saysGerman(() => imageFolderWords(check.said!), check.problem);
  });
});

describe('the helper’s own refusal of an image-file target carries the rule’s problem typed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iios-rule-words-helper-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a system folder, a missing folder and a file that is no disk image: said in German, each with its reason', async () => {
    const { job, notes } = threeRefusedTargets(dir, 'helper-rules');
    const err = await prepare(job, () => {}, new AbortController().signal).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RefusedError);
    const failures = (err as RefusedError).perTargetFailure;
    expect(failures.get('t1')).toMatchObject({ key: 'refused', said: [{ kind: 'image-path', problem: { reason: 'system-folder', folder: '/etc' } }], typedReasons: ['bad-path'] });
    expect(failures.get('t2')).toMatchObject({ key: 'refused', said: [{ kind: 'image-folder', problem: { reason: 'missing', folder: join(dir, 'nope') } }] });
    expect(failures.get('t3')).toMatchObject({ key: 'refused', said: [{ kind: 'image-path', problem: { reason: 'not-an-image', path: notes } }] });
    const german = [...failures.values()].map((f) => saysGerman(() => failureWords(f, ''), null));
    expect(german[0]).toMatch(/liegt in \/etc, einem Systemordner/);
    expect(german[2]).toMatch(/sieht nicht wie ein Abbild aus/);
  });
});

