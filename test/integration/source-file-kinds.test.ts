// A FIFO or a character device given as a bundle file, an image or a payload is named for what it is, on the
// app's side (source inspection, the job request) and again in the helper, in one wording
// (src-shared/format/file-kind.ts): "… is a FIFO (named pipe), not a file", never "missing" or "not found".
import { execa } from 'execa';
import { cp, mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle as appLoadBundle } from '../../src-main/services/sources/bundles.ts';
import { inspectImage } from '../../src-main/services/sources/images.ts';
import { prepareWriteJob, type JobRequestDeps } from '../../src-main/services/jobs/job-request.ts';
import { loadBundle as helperLoadBundle, loadRawImage } from '../../helpers/source.ts';
import { sourceReadCheck } from '../../helpers/source-access.ts';
import { describePayload } from '../../helpers/steps/payload.ts';
import type { WriteJob } from '../../src-shared/job/write-job.ts';
import type { ImageProfile } from '../../src-shared/profile/index.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';

const FIFO = 'is a FIFO (named pipe), not a file';
let bundle: TestBundle;
let work: string;
let fifoBundle: string;
let fifo: string;

beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 256 * 1024 });
  work = await mkdtemp(join(tmpdir(), 'iios-kinds-'));
  // the same bundle with its kernel swapped for a FIFO
  fifoBundle = join(work, 'bundle');
  await cp(bundle.dir, fifoBundle, { recursive: true });
  await unlink(join(fifoBundle, 'vmlinuz'));
  await execa('mkfifo', [join(fifoBundle, 'vmlinuz')]);
  fifo = join(work, 'stick.img');
  await execa('mkfifo', [fifo]);
});

afterAll(async () => {
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

// A request whose profile and plan never matter: the refusal comes first.
const deps: JobRequestDeps = {
  loadProfile: async () => ({ id: 'kiosk', mode: 'ab' }) as unknown as ImageProfile,
  loadBundle: async () => bundle.manifest as never,
  imageBytes: async () => {
    throw new Error('not reached');
  },
  deviceBytes: async () => {
    throw new Error('not reached');
  },
};
const refusal = (p: Promise<unknown>) => p.then(() => 'accepted', (e: Error) => e.message);
const access = () => sourceReadCheck({});

describe('the app', () => {
  it('a bundle file that is a FIFO', async () => {
    expect(await refusal(appLoadBundle(fifoBundle))).toBe(`bundle ${fifoBundle}: vmlinuz ${FIFO} (listed in manifest.json)`);
  });

  it('an image that is a FIFO or a character device', async () => {
    expect(await refusal(inspectImage(fifo))).toBe(`image ${fifo} is a FIFO (named pipe), not a disk image file`);
    expect(await refusal(inspectImage('/dev/zero'))).toBe('image /dev/zero is a character device, not a disk image file');
    expect(await refusal(prepareWriteJob({ profileId: 'raw', imagePath: fifo, targets: [{ path: join(work, 'out.img'), sizeBytes: 1 << 30 }] }, deps))).toBe(
      `image ${fifo} ${FIFO}`,
    );
  });

  it('a payload file that is a FIFO or a character device; a target that is one', async () => {
    const req = (payload: string) => ({ profileId: 'kiosk', bundleDir: bundle.dir, targets: [{ path: join(work, 'out.img'), sizeBytes: 1 << 30 }], payload: [payload] });
    expect(await refusal(prepareWriteJob(req(fifo), deps))).toBe(`payload file ${fifo} ${FIFO}`);
    expect(await refusal(prepareWriteJob(req('/dev/null'), deps))).toBe('payload file /dev/null is a character device, not a file');
    expect(await refusal(prepareWriteJob(req(join(work, 'none.txt')), deps))).toBe(`payload file ${join(work, 'none.txt')} not found`);
    expect(await refusal(prepareWriteJob({ profileId: 'kiosk', bundleDir: bundle.dir, targets: [{ path: fifo }] }, deps))).toBe(
      `${fifo} is a FIFO (named pipe), not a block device or an image file`,
    );
  });
});

describe('the helper', () => {
  const signal = new AbortController().signal;

  it('a bundle file that is a FIFO', async () => {
    const job = { bundleDir: fifoBundle } as unknown as WriteJob;
    expect(await refusal(helperLoadBundle(job, await access(), signal))).toBe(`bundle file vmlinuz ${FIFO}`);
  });

  it('an image that is a FIFO or a character device', async () => {
    expect(await refusal(loadRawImage({ imagePath: fifo } as unknown as WriteJob, await access(), signal))).toBe(`${fifo} ${FIFO}`);
    expect(await refusal(loadRawImage({ imagePath: '/dev/zero' } as unknown as WriteJob, await access(), signal))).toBe('/dev/zero is a character device, not a file');
  });

  it('a payload file that is a FIFO or a character device', async () => {
    const copyDir = async () => work;
    expect(await refusal(describePayload([{ sourcePath: fifo, name: 'x' } as never], await access(), signal, copyDir))).toBe(`payload ${fifo} ${FIFO}`);
    expect(await refusal(describePayload([{ sourcePath: '/dev/null', name: 'x' } as never], await access(), signal, copyDir))).toBe(
      'payload /dev/null is a character device, not a file',
    );
  });
});
