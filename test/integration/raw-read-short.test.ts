// An image-file target cut short between writing and verifying (someone truncated it) fails its verify typed:
// where it ended, said in the reader's language, not a framed English sentence; and it gets no partition table.
// The same for the image itself cut short before the target is compared with it: the source changed.
import { copyFile, mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureWords } from '../../src-shared/errors/failure-words.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeRawImage, type RawImage } from '../support/make-raw-image.ts';
import { runHelper } from '../support/run-helper.ts';
import { englishIn } from '../support/untranslated.ts';

const MiB = 1024 * 1024;
const raw = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/raw.yaml'), 'utf8'), 'raw.yaml', 'raw');

let image: RawImage;
let work: string;
beforeAll(async () => {
  image = await makeRawImage({ mib: 24, compress: 'xz' });
  work = await mkdtemp(join(tmpdir(), 'iios-rawshort-'));
});
afterAll(async () => {
  await image?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A raw write of `imagePath` onto the image file `img`, with `atVerify` done when its verify starts; its typed failure. */
async function writeCutAtVerify(jobId: string, imagePath: string, img: string, atVerify: () => Promise<void>) {
  const gate = await mkdtemp(join(tmpdir(), 'iios-gate-'));
  try {
    const r = await runHelper(
      { jobId, profile: raw, imagePath, persistence: false, targets: [{ id: 'file', kind: 'image-file', path: img, sizeBytes: 64 * MiB, hostname: jobId }] },
      {
        env: { IIOS_TEST_VERIFY_GATE: gate },
        onEvent: async (e) => {
          if (e.kind !== 'phase' || e.phase !== 'verify') return;
          try {
            await atVerify();
          } finally {
            await writeFile(join(gate, e.targetId), '');
          }
        },
      },
    );
    expect(r.results?.find((x) => x.targetId === 'file'), r.stderr).toMatchObject({ ok: false, verified: false });
    return r.failed('file')?.failure;
  } finally {
    await rm(gate, { recursive: true, force: true });
  }
}

describe('an image-file target cut short before its verify', () => {
  it('fails typed with the byte where it ended, in German with no English left, and gets no table', async () => {
    const img = join(work, 'target.img');
    try {
      const failure = await writeCutAtVerify('short-01', image.plainPath, img, () => truncate(img, 10 * MiB));
      expect(failure).toEqual({ key: 'read-short', phase: 'verify', byte: 10 * MiB });
      const fh = await open(img, 'r');
      try {
        const head = Buffer.alloc(MiB);
        await fh.read(head, 0, MiB, 0);
        expect(head.every((b) => b === 0)).toBe(true);
      } finally {
        await fh.close();
      }
      setLocale('de');
      try {
        const de = failureWords(failure!, '');
        expect(de).toContain((10 * MiB).toLocaleString('de'));
        expect(englishIn([de]), de).toEqual([]);
      } finally {
        setLocale('en');
      }
    } finally {
      await rm(img, { force: true });
    }
  }, 300_000);

  it('the image itself cut short before the compare: the source changed, named at the byte where it ended', async () => {
    const img = join(work, 'target2.img');
    const source = join(work, 'source.img');
    await copyFile(image.plainPath, source);
    try {
      const failure = await writeCutAtVerify('short-02', source, img, () => truncate(source, 14 * MiB + 512));
      expect(failure).toEqual({ key: 'source-changed', byte: 14 * MiB + 512 });
    } finally {
      await rm(img, { force: true });
      await rm(source, { force: true });
    }
  }, 300_000);
});
