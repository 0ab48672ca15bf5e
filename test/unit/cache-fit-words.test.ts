// The job service's refusal of a cache set (cacheFitMessage) in the language iios speaks: the sentence from the
// catalogue, its sizes written the locale's way ("1,6 GB", "1.634.746.880 Bytes" in German).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prepareWriteJob, type JobRequestDeps, type RequestError } from '../../src-main/services/jobs/job-request.ts';
import { cacheFitMessage } from '../../src-shared/caches/cache-fit.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { planLayout } from '../../src-shared/layout/index.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { englishIn } from '../support/untranslated.ts';
import { builtFilesSet, type BuiltFilesSet } from '../support/built-files-set.ts';
import { demoManifest } from './wizard/support/fake-services.ts';

afterEach(() => setLocale('en'));

describe('cacheFitMessage', () => {
  const tooSmall = { kind: 'too-small', neededBytes: 1_634_746_880 } as const;

  it('says a stick too small for the caches in English and in German, sizes and bytes written the locale\'s way', () => {
    expect(cacheFitMessage('/dev/sdz', 1_500_000_000, tooSmall, 'appliance', 5_000)).toBe(
      '/dev/sdz: target is 1.5 GB but the appliance profile with 5.0 kB of caches needs at least 1.6 GB (1,634,746,880 bytes)',
    );
    setLocale('de');
    const de = cacheFitMessage('/dev/sdz', 1_500_000_000, tooSmall, 'appliance', 5_000)!;
    expect(de).toBe('/dev/sdz: Das Ziel hat 1,5 GB, aber das Profil appliance braucht mit 5,0 kB an Caches mindestens 1,6 GB (1.634.746.880 Bytes)');
    expect(englishIn([de])).toEqual([]);
  });

  it('keeps two close sizes apart with as many decimals as it takes, in German too', () => {
    setLocale('de');
    expect(cacheFitMessage('/dev/sdz', 1_620_000_000, tooSmall, 'appliance', 12_345_678)).toMatch(/hat 1,62 GB, .* mit 12,3 MB an Caches mindestens 1,63 GB \(1\.634\.746\.880 Bytes\)$/);
  });

  it('says a profile with no @caches in German', () => {
    setLocale('de');
    const de = cacheFitMessage('/dev/sdz', 8e9, { kind: 'no-caches' }, 'kiosk', 5_000)!;
    expect(de).toBe('/dev/sdz: Das Profil kiosk hat kein Subvolume @caches; wählen Sie ein Profil, das Caches trägt (classroom, appliance)');
    expect(englishIn([de])).toEqual([]);
    expect(cacheFitMessage('/dev/sdz', 8e9, { kind: 'fits', roomBytes: 0, neededBytes: 1 }, 'kiosk', 5_000)).toBeNull();
  });
});

describe('the job service refuses a cache set in the language iios speaks', () => {
  const profile = (id: string) => parseImageProfile(readFileSync(join(import.meta.dirname, `../../resources/profiles/${id}.yaml`), 'utf8'), `${id}.yaml`, id);
  const deps: JobRequestDeps = { loadProfile: async (id) => profile(id), loadBundle: async () => demoManifest, imageBytes: async () => 0, deviceBytes: async () => 0 };
  const needs = planLayout(profile('appliance'), demoManifest, 8e9).neededBytes;
  let work: string;
  let setFile: string;

  let built: BuiltFilesSet;
  beforeAll(async () => {
    built = await builtFilesSet('iios-cachefit-words-', { name: 'sheet.txt', content: 'x'.repeat(5000) });
    ({ work, setFile } = built);
  });
  afterAll(async () => {
    await built?.cleanup();
  });

  const refusal = (p: Promise<unknown>) => p.then(() => expect.fail('not refused'), (e: unknown) => e as RequestError);

  it('a stick too small and a profile with no caches, in German', async () => {
    setLocale('de');
    const small = await refusal(prepareWriteJob({ profileId: 'appliance', bundleDir: '/opt/iios/demo', targets: [{ path: join(work, 'small.img'), sizeBytes: needs + 16 * 1024 ** 2 }], cacheSet: setFile }, deps));
    expect(small.message).toMatch(/small\.img: Das Ziel hat \d+,\d+ GB, aber das Profil appliance braucht mit 5,0 kB an Caches mindestens \d+,\d+ GB \([\d.]+ Bytes\)$/);
    expect(englishIn([small.message])).toEqual([]);
    const kiosk = await refusal(prepareWriteJob({ profileId: 'kiosk', bundleDir: '/opt/iios/demo', targets: [{ path: join(work, 'k.img'), sizeBytes: 8e9 }], cacheSet: setFile }, deps));
    expect(kiosk.details).toMatchObject({ kind: 'invalid', issues: [{ path: 'cacheSet', message: expect.stringMatching(/Das Profil kiosk hat kein Subvolume @caches/) }] });
  });
});
