// The helper's prepare step resolves each target to what it checks and writes (an image file in its real
// folder, a device by its kernel name) and returns those targets: the validated job it was given is left as it
// was (it is frozen here, so an in-place rewrite would throw).
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepare } from '../../helpers/prepare.ts';
import type { JobEvent } from '../../src-shared/job/events.ts';
import { WriteJob } from '../../src-shared/job/write-job.ts';
import { parseBundleManifest } from '../../src-shared/profile/index.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';

const GiB = 1024 ** 3;
const appliance = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('helper prepare', () => {
  let bundle: TestBundle;
  let work: string;
  beforeAll(async () => {
    bundle = await makeBundle({ randomBytes: 64 * 1024 });
    work = await mkdtemp(join(tmpdir(), 'iios-prepare-'));
  }, 60_000);
  afterAll(async () => {
    await bundle?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('returns the targets as resolved (an image file in its real folder) and leaves the job as it was given', async () => {
    const real = join(work, 'real');
    await mkdir(real);
    await symlink(real, join(work, 'link'));
    const given = join(work, 'link', 'lab.img');
    const job = deepFreeze(
      WriteJob.parse({
        jobId: 'job-prepare',
        profile: appliance,
        bundleDir: bundle.dir,
        manifest: parseBundleManifest(readFileSync(join(bundle.dir, 'manifest.json'), 'utf8')),
        targets: [
          { id: 't1', kind: 'image-file', path: given, sizeBytes: 4 * GiB, hostname: 'lab-01' },
          { id: 't2', kind: 'image-file', path: join(real, 'other.img'), sizeBytes: 4 * GiB, hostname: 'lab-02' },
        ],
      }),
    );
    const before = structuredClone(job);
    const events: JobEvent[] = [];
    const prepared = await prepare(job, (e) => events.push(e), new AbortController().signal);
    try {
      expect(prepared.targets.map((t) => t.target)).toEqual([
        { id: 't1', kind: 'image-file', path: join(real, 'lab.img'), sizeBytes: 4 * GiB, hostname: 'lab-01' },
        { id: 't2', kind: 'image-file', path: join(real, 'other.img'), sizeBytes: 4 * GiB, hostname: 'lab-02' },
      ]);
      expect(prepared.targets.every((t) => t.plan.diskBytes === 4 * GiB)).toBe(true);
      expect(job).toEqual(before);
      expect(events.filter((e) => e.kind === 'target-failed')).toEqual([]);
    } finally {
      await prepared.cleanup();
    }
  }, 60_000);
});
