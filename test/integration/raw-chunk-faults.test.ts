// The raw writer's and the raw clone's read-back meet the fault they exist for: the real helper writes a raw
// image (xz, so it is measured first and hashed chunk by chunk; or plain, compared with the image read again)
// onto a loop device and an image file, or clones a plain disk raw onto
// both; when a target's `verify` phase starts, the test flips one byte of it (IIOS_TEST_VERIFY_GATE holds the
// read-back until then). Each target must fail naming the 4 MiB chunk that holds the byte, and get no partition
// table (a raw stick's first MiB goes on only after its verify).
import { failureWords } from '../../src-shared/errors/failure-words.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import type { TargetFailure } from '../../src-shared/job/target-failure.ts';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeLoop, type TestLoop } from '../support/helper-checks.ts';
import { makeRawImage, type RawImage } from '../support/make-raw-image.ts';
import { runHelper } from '../support/run-helper.ts';

const MiB = 1024 * 1024;
const raw = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/raw.yaml'), 'utf8'), 'raw.yaml', 'raw');

let image: RawImage;
let work: string;
beforeAll(async () => {
  image = await makeRawImage({ mib: 24, compress: 'xz' });
  work = await mkdtemp(join(tmpdir(), 'iios-rawfault-'));
});
afterAll(async () => {
  await image?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

async function flip(path: string, at: number): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0xff;
    await fh.write(b, 0, 1, at);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function firstMiBIsZero(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(MiB);
    await fh.read(b, 0, MiB, 0);
    return b.every((x) => x === 0);
  } finally {
    await fh.close();
  }
}

/** Runs `job` onto a loop device ("loop") and an image file ("file"), flipping byte `at` of each when its verify starts. */
async function withFlip(job: (targets: object[]) => object, at: number, sizeBytes: number) {
  const gate = await mkdtemp(join(tmpdir(), 'iios-gate-'));
  const img = join(work, 'target.img');
  let loop: TestLoop | null = null;
  try {
    loop = await makeLoop(sizeBytes);
    const disks: Record<string, string> = { loop: loop.dev, file: img };
    const flipped: string[] = [];
    const targets = [
      { id: 'loop', kind: 'device', path: loop.dev, sizeBytes, hostname: 'fault-01' },
      { id: 'file', kind: 'image-file', path: img, sizeBytes, hostname: 'fault-02' },
    ];
    const r = await runHelper(job(targets), {
      env: { IIOS_TEST_VERIFY_GATE: gate },
      onEvent: async (e) => {
        if (e.kind !== 'phase' || e.phase !== 'verify') return;
        try {
          await flip(disks[e.targetId]!, at);
          flipped.push(e.targetId);
        } finally {
          await writeFile(join(gate, e.targetId), '');
        }
      },
    });
    expect(flipped.sort(), r.stderr).toEqual(['file', 'loop']);
    const out: Record<string, { message: string | undefined; failure: TargetFailure | undefined; tableless: boolean }> = {};
    for (const id of ['loop', 'file']) {
      expect(r.results?.find((x) => x.targetId === id), r.stderr).toMatchObject({ ok: false, verified: false });
      out[id] = { message: r.failed(id)?.message, failure: r.failed(id)?.failure, tableless: await firstMiBIsZero(disks[id]!) };
    }
    return out;
  } finally {
    await loop?.cleanup();
    await rm(img, { force: true });
    await rm(gate, { recursive: true, force: true });
  }
}

describe('raw read-back names the chunk of a byte flipped between writing and verifying', () => {
  it('a raw image write, on a loop device and an image file', async () => {
    const at = 9 * MiB + 4321; // in the third chunk: bytes 8-12 MiB
    const out = await withFlip((targets) => ({ jobId: 'raw-fault', profile: raw, imagePath: image.path, persistence: false, targets }), at, 64 * MiB);
    for (const id of ['loop', 'file']) {
      expect(out[id]!.message).toMatch(/^verify failed: the 4194304-byte chunk at byte 8388608 reads back differently from what was written \(xxh128 [0-9a-f]{32}, written [0-9a-f]{32}\)$/);
      expect(out[id]!.tableless).toBe(true);
      // typed beside the sentence, for the reader's language
      expect(out[id]!.failure).toEqual({ key: 'read-back', phase: 'verify', byte: 8388608, chunkBytes: 4194304 });
    }
  }, 300_000);

  it('a plain (uncompressed) raw image write, compared with the image read again: names the chunk and the byte', async () => {
    const at = 9 * MiB + 4321;
    const out = await withFlip((targets) => ({ jobId: 'raw-fault-plain', profile: raw, imagePath: image.plainPath, persistence: false, targets }), at, 64 * MiB);
    for (const id of ['loop', 'file']) {
      expect(out[id]!.message).toBe(`verify failed: the 4194304-byte chunk at byte 8388608 reads back differently from what was written (its byte ${at} differs from the image's)`);
      expect(out[id]!.tableless).toBe(true);
      // the flipped byte itself, typed: the reader is told it in their language, not only the chunk
      expect(out[id]!.failure).toEqual({ key: 'read-back', phase: 'verify', byte: 8388608, chunkBytes: 4194304, first: at });
      setLocale('de');
      try {
        expect(failureWords(out[id]!.failure, '')).toContain(`zuerst bei Byte ${at.toLocaleString('de')}`);
      } finally {
        setLocale('en');
      }
    }
  }, 300_000);

  it('a raw clone of a plain disk, on a loop device and an image file', async () => {
    const source = join(work, 'disk.img');
    await execa('cp', [image.plainPath, source]);
    const at = 20 * MiB + 1; // the last chunk (20-24 MiB) of the used extent
    const out = await withFlip((targets) => ({ kind: 'clone', jobId: 'clone-fault', sourcePath: source, targets }), at, 64 * MiB);
    for (const id of ['loop', 'file']) {
      expect(out[id]!.message).toMatch(/^verify failed: the \d+-byte chunk at byte 20971520 reads back differently from what was written/);
    }
  }, 300_000);
});
