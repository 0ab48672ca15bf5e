// The helper's own verify meets the faults it exists for. Each job writes an appliance stick (A/B verity slots,
// ESP, caches) onto a loop device and an image file; when a target's `verify` phase event arrives, the test
// changes one byte of it — in slot a, in slot a's hash tree, in an ESP file, in a cache file — and only then
// lets verify read (IIOS_TEST_VERIFY_GATE: the helper waits for the test's gate file after that event). Each
// target must then fail with a message naming what mismatched (and, for a slot, where), and with its failure
// typed: a slot as slot-differs, every other check as verify-failed with its typed finding, said in German with
// no English left (veritysetup's own verdict is data).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureWords } from '../../src-shared/errors/failure-words.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { englishIn } from '../support/untranslated.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { makeLoop, type TestLoop } from '../support/helper-checks.ts';
import { runHelper } from '../support/run-helper.ts';
import { makeAptCache, stickFaults } from '../support/stick-faults.ts';

const MiB = 1024 * 1024;
// room for the apt cache by the fit rule (cache-fit.ts) beside slots of their least size
const SIZE = 1800 * MiB;
const profile = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');

let bundle: TestBundle;
let work: string;
let aptCache: string;
beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 6 * MiB, name: 'iios-catch', version: '1.0' });
  work = await mkdtemp(join(tmpdir(), 'iios-catch-'));
  aptCache = await makeAptCache(work);
});
afterAll(async () => {
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the helper's verify catches a stick changed between writing and verifying", () => {
  for (const [name, { fault, message }] of Object.entries(stickFaults)) {
    it(`${name}, on a loop device and on an image file`, async () => {
      const gate = await mkdtemp(join(tmpdir(), 'iios-gate-'));
      const img = join(work, 'target.img');
      let loop: TestLoop | null = null;
      try {
        loop = await makeLoop(SIZE);
        const disks: Record<string, string> = { loop: loop.dev, file: img };
        const faulted: string[] = [];
        const r = await runHelper(
          {
            jobId: `catch-${name.replaceAll(' ', '-')}`, profile, bundleDir: bundle.dir, manifest: bundle.manifest, caches: [{ kind: 'apt', path: aptCache }],
            targets: [
              { id: 'loop', kind: 'device', path: loop.dev, sizeBytes: SIZE, hostname: 'catch-01' },
              { id: 'file', kind: 'image-file', path: img, sizeBytes: SIZE, hostname: 'catch-02' },
            ],
          },
          {
            env: { IIOS_TEST_VERIFY_GATE: gate },
            onEvent: async (e) => {
              if (e.kind !== 'phase' || e.phase !== 'verify') return;
              // between writing and verifying: the helper waits for the gate file that is made only after the fault
              try {
                await fault(disks[e.targetId]!, work);
                faulted.push(e.targetId);
              } finally {
                await writeFile(join(gate, e.targetId), '');
              }
            },
          },
        );
        expect(faulted.sort(), r.stderr).toEqual(['file', 'loop']);
        for (const id of ['loop', 'file']) {
          expect(r.results?.find((x) => x.targetId === id), r.stderr).toMatchObject({ ok: false, verified: false });
          expect(r.failed(id)?.message).toMatch(new RegExp(`^verify failed: ${(await message(disks[id]!, 'helper')).source.slice(1)}`));
          const failure = r.failed(id)?.failure;
          expect(failure?.key, name).toBe(name === 'a slot byte' ? 'slot-differs' : 'verify-failed');
          setLocale('de');
          try {
            const text = failureWords(failure, '');
            const data = text.replace(/\b[0-9a-f]{12,}…?/g, '…').replace(/veritysetup verify: [^;]*/, 'veritysetup verify: …').replace(/\bapt\b/g, '…');
            expect(englishIn([data]), text).toEqual([]);
          } finally {
            setLocale('en');
          }
        }
      } finally {
        await loop?.cleanup();
        await rm(img, { force: true });
        await rm(gate, { recursive: true, force: true });
      }
    }, 300_000);
  }
});
