// A plan that cannot be made for another reason than size (a kernel too big for the ESP, a profile and a system
// that do not go together) is typed by the planner (src-shared/layout/plan-problem.ts) and crosses the error
// envelope typed, from the plan channel and from a write request: a main process speaking English refuses, and a
// German reader says why in German with no English left.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareWriteJob } from '../../src-main/services/jobs/job-request.ts';
import { detailsOf, ErrorDetailsSchema } from '../../src-shared/contract/error-details.ts';
import { detailsWords, errorWords } from '../../src-shared/errors/error-words.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { planLayout, PlanError } from '../../src-shared/layout/index.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { englishIn } from '../support/untranslated.ts';
import { demoManifest } from './wizard/support/fake-services.ts';

afterEach(() => setLocale('en'));

const appliance = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');
/** A system whose kernel is too big for the appliance profile's ESP. */
const bigKernel = { ...demoManifest, files: { ...demoManifest.files, [demoManifest.kernel]: { sha256: 'ab'.repeat(32), sizeBytes: 2 * 1024 ** 3 } } };

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (err) {
    return err;
  }
  return null;
};

describe('a plan the planner cannot make, in the reader’s language', () => {
  it('the planner’s error carries its reason typed across the envelope', () => {
    const err = thrown(() => planLayout(appliance, bigKernel, 16 * 1024 ** 3));
    expect(err).toBeInstanceOf(PlanError);
    expect((err as Error).message).toMatch(/^IIOS-ESP is .* but the boot files of 2 slot\(s\) need/);
    // as the GUI gets it: the details alone, through JSON and the schema
    const details = ErrorDetailsSchema.parse(JSON.parse(JSON.stringify(detailsOf(err))));
    expect(details).toMatchObject({ kind: 'plan', problem: { reason: 'esp-too-small', slots: 2 } });
    setLocale('de');
    const text = detailsWords(details, (err as Error).message);
    expect(text).toMatch(/^Die Startpartition IIOS-ESP fasst .*, aber die Startdateien von 2 Slots brauchen .*\.$/);
    expect(englishIn([text]), text).toEqual([]);
  });

  it('a write request refused for it names the target, said in German', async () => {
    const deps = { loadProfile: async () => appliance, loadBundle: async () => bigKernel, imageBytes: async () => 0, deviceBytes: async () => 0 };
    // an image file in /tmp (its folder is checked first: there, and with room)
    const second = await prepareWriteJob({ profileId: 'appliance', bundleDir: '/opt/iios/demo', targets: [{ path: '/tmp/iios-plan-words-class.img', sizeBytes: 16 * 1024 ** 3 }] }, deps).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(second).toMatchObject({ details: { kind: 'plan', target: '/tmp/iios-plan-words-class.img', problem: { reason: 'esp-too-small' } } });
    setLocale('de');
    const text = errorWords(second);
    expect(text).toMatch(/^\/tmp\/iios-plan-words-class\.img lässt sich nicht aufteilen: die Startpartition IIOS-ESP/);
    expect(englishIn([text]), text).toEqual([]);
  });
});
