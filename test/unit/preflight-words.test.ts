// The app's refusals of a write target before the password prompt (preflight.ts) are typed on the target's
// failure, so the GUI and the CLI say them in the reader's language, not in the main process's: each problem said
// in German with no English left, and a real job refused by the real preflight carries them typed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { JobService } from '../../src-main/services/jobs/jobs.ts';
import { detailsWords } from '../../src-shared/errors/error-words.ts';
import { failureWords } from '../../src-shared/errors/failure-words.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { PreflightProblemSchema, type PreflightProblem } from '../../src-shared/job/preflight-problem.ts';
import { TargetFailureSchema } from '../../src-shared/job/target-failure.ts';
import { WriteJob } from '../../src-shared/job/write-job.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { englishIn } from '../support/untranslated.ts';

/** One problem of each kind but `text` (a shared rule's own words), with the names and numbers preflight sends. */
const PROBLEMS: PreflightProblem[] = [
  { kind: 'mounted', path: '/dev/sdy', mounts: ['/media/class-01'] },
  { kind: 'same-disk', path: '/dev/disk/by-id/usb-x', other: 't1' },
  { kind: 'same-file', path: '/srv/./class.img', other: 't1' },
  { kind: 'backing-file', path: '/srv/class.img', dev: '/dev/loop7' },
  { kind: 'bundle-outside', file: 'vmlinuz' },
  { kind: 'image-room', path: '/srv/class.img', haveBytes: 1.2e9, writeBytes: 2.4e9 },
  { kind: 'payload-room', path: '/dev/sdy', needBytes: 100e6, roomBytes: 31e6 },
  { kind: 'too-small', path: '/dev/sdy', profile: 'appliance', sizeBytes: 1e9, neededBytes: 2.4e9 },
  { kind: 'plan', path: '/dev/sdy', problem: { reason: 'esp-too-small', slots: 2, sizeBytes: 64e6, neededBytes: 180e6 } },
  // the shared rules' refusals, each reason once (busy.ts, image-file-target.ts, image-folder.ts)
  { kind: 'busy', problem: { reason: 'loop', target: '/dev/sdy', loop: '/dev/loop7', offset: 0, sizeLimit: 0, mounts: [] } },
  { kind: 'busy', problem: { reason: 'loop', target: '/dev/sdy', loop: '/dev/loop7', offset: 1048576, sizeLimit: 0, mounts: ['/media/class-01'] } },
  { kind: 'busy', problem: { reason: 'loop', target: '/dev/sdy', loop: '/dev/loop7', offset: 1048576, sizeLimit: 4194304, mounts: [] } },
  { kind: 'busy', problem: { reason: 'held', target: '/dev/sdy', holders: ['dm-0', 'md127'] } },
  { kind: 'image-path', problem: { reason: 'not-plain', path: 'class.img' } },
  { kind: 'image-path', problem: { reason: 'bad-name', path: '/srv/class.iso', suggestion: 'class.img' } },
  { kind: 'image-path', problem: { reason: 'system-folder', path: '/etc/class.img', folder: '/etc' } },
  { kind: 'image-path', problem: { reason: 'secret-folder', path: '/home/ana/.ssh/class.img', folder: '.ssh' } },
  { kind: 'image-path', problem: { reason: 'symlink', path: '/srv/class.img' } },
  { kind: 'image-path', problem: { reason: 'not-regular', path: '/srv/class.img' } },
  { kind: 'image-path', problem: { reason: 'not-an-image', path: '/srv/class.img' } },
  { kind: 'image-folder', problem: { reason: 'missing', folder: '/srv/sticks', parent: '/srv' } },
  { kind: 'image-folder', problem: { reason: 'missing', folder: '/srv/sticks', parent: null } },
  { kind: 'image-folder', problem: { reason: 'not-folder', folder: '/srv/sticks' } },
  { kind: 'image-folder', problem: { reason: 'not-writable', folder: '/srv/sticks' } },
  { kind: 'image-folder', problem: { reason: 'no-room', path: '/srv/sticks/class.img', freeBytes: 50e6, needBytes: 2.4e9 } },
];

afterEach(() => setLocale('en'));

describe('a write target the app refused before the password prompt, in the reader’s language', () => {
  it('the table covers every kind the app types', () => {
    const kinds = PreflightProblemSchema.options.map((o) => o.shape.kind.value).filter((k) => k !== 'text');
    expect(new Set(PROBLEMS.map((p) => p.kind))).toEqual(new Set(kinds));
  });

  it.each(PROBLEMS.map((p) => ['problem' in p ? `${p.kind} ${p.problem.reason}` : p.kind, p] as const))('%s: said in German with no English left', (_, problem) => {
    const failure = TargetFailureSchema.parse({ key: 'preflight-refused', problems: [problem] });
    setLocale('de');
    const text = failureWords(failure, 'refused');
    expect(englishIn([text]), text).toEqual([]);
    setLocale('en');
    expect(failureWords(failure, 'refused')).not.toBe(text);
  });
});

describe('a write job the real preflight refuses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iios-preflight-words-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('carries each refused target’s problems typed, said in German whatever language the app runs in', async () => {
    const image = join(dir, 'system.img');
    writeFileSync(image, Buffer.alloc(4 * 1024 * 1024));
    const raw = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/raw.yaml'), 'utf8'), 'raw.yaml', 'raw');
    // the same file twice (by another spelling), each too small for the image
    const job = WriteJob.parse({
      jobId: 'pre',
      profile: raw,
      imagePath: image,
      targets: [
        { id: 't1', kind: 'image-file', path: join(dir, 'class.img'), sizeBytes: 1024 * 1024, hostname: 'class-01' },
        { id: 't2', kind: 'image-file', path: `${dir}/./class.img`, sizeBytes: 1024 * 1024, hostname: 'class-02' },
      ],
    });
    let launched = 0;
    const svc = new JobService({
      tmpRoot: dir,
      launchHelper: () => {
        launched++;
        throw new Error('must not launch');
      },
    });
    // the app's own language is English; the reader's German
    const final = await (await svc.start(job)).finished;
    expect(launched).toBe(0);
    expect(final.status).toBe('failed');
    const t2 = final.targets.find((t) => t.id === 't2')!;
    expect(t2.failure).toMatchObject({ key: 'preflight-refused', problems: expect.arrayContaining([expect.objectContaining({ kind: 'same-file', other: 't1' }), expect.objectContaining({ kind: 'too-small' })]) });
    setLocale('de');
    const text = failureWords(t2.failure, t2.message ?? '');
    expect(text).toMatch(/ist dieselbe Datei wie Ziel t1/);
    expect(text).toMatch(/aber das Profil raw braucht mindestens/);
    expect(englishIn([text]), text).toEqual([]);
    // the job's own error is typed too: said in German, no English left
    expect(final.errorDetails).toMatchObject({ kind: 'job-refused' });
    const jobText = detailsWords(final.errorDetails, final.error ?? '');
    expect(jobText).toMatch(/ist dieselbe Datei wie Ziel t1/);
    expect(englishIn([jobText]), jobText).toEqual([]);
    // the message stays in the app's language, for the log
    expect(t2.message).toMatch(/is the same file as target t1/);
  });
});
