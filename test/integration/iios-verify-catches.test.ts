// `iios verify` meets the faults it exists for: an appliance stick written by the helper onto a loop device and
// an image file verifies; then one byte at a time is changed (slot a, slot a's hash tree, an ESP file, a cache
// file) and verify must fail exactly the check that covers it, naming what mismatched; changing the byte back
// makes the stick verify again; so does a damaged backup GPT header, which sgdisk -v alone lets pass. One fault also goes through the `iios verify` command: exit 1, the FAIL line,
// in English and in a German terminal (each check said from its typed finding, no English left).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStick } from '../../src-main/services/stick/stick-verify.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { checkWords } from '../../src-shared/verify/check-words.ts';
import { englishIn } from '../support/untranslated.ts';
import { makeLoop, type TestLoop } from '../support/helper-checks.ts';
import { iios } from '../support/iios-cli.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { runHelper } from '../support/run-helper.ts';
import { espImage, flipByte, makeAptCache, mtoolsEnv, SLOT_OFFSET, stickFaults } from '../support/stick-faults.ts';

const MiB = 1024 * 1024;
// room for the apt cache by the fit rule (cache-fit.ts) beside slots of their least size
const SIZE = 1800 * MiB;
const profile = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');

/** The checks each fault must fail (and no other). */
const failing: Record<string, string[]> = {
  'a slot byte': ['slot a sha256', 'slot a verity'],
  'a hash-tree byte': ['slot a verity'],
  'an ESP file byte': ['esp files'],
  'a cache file byte': ['caches'],
};

/** Hashes, the tools' command lines and their own output (veritysetup's verdict) are data in every language. */
const dataOut = (text: string) =>
  text
    .replace(/\b[0-9a-f]{12,}…?/g, '…')
    .replace(/veritysetup verify: .*$/, 'veritysetup verify: …')
    .replace(/btrfs check --readonly|sgdisk -v|\(\d[\d.,]* [kMG]?B\/s\)/g, '…')
    .replace(/\b(iios-data|iios-system|IIOS-ESP|appliance|verify-0\d|apt)\b/g, '…');

let bundle: TestBundle;
let work: string;
let loop: TestLoop;
let disks: Record<string, string>;
beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 6 * MiB, name: 'iios-verify-catch', version: '1.0' });
  work = await mkdtemp(join(tmpdir(), 'iios-verify-catch-'));
  loop = await makeLoop(SIZE);
  disks = { loop: loop.dev, file: join(work, 'stick.img') };
  const r = await runHelper({
    jobId: 'iios-verify-catches', profile, bundleDir: bundle.dir, manifest: bundle.manifest, caches: [{ kind: 'apt', path: await makeAptCache(work) }],
    targets: [
      { id: 'loop', kind: 'device', path: disks.loop!, sizeBytes: SIZE, hostname: 'verify-01' },
      { id: 'file', kind: 'image-file', path: disks.file!, sizeBytes: SIZE, hostname: 'verify-02' },
    ],
  });
  expect(r.results, r.stderr).toEqual([{ targetId: 'loop', ok: true, verified: true }, { targetId: 'file', ok: true, verified: true }]);
}, 300_000);
afterAll(async () => {
  await loop?.cleanup();
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('iios verify catches one changed byte', () => {
  for (const kind of ['loop', 'file'] as const) {
    it(`on ${kind === 'loop' ? 'a loop device' : 'an image file'}: each fault fails its check, named`, async () => {
      const disk = disks[kind]!;
      const before = await verifyStick(disk);
      expect(before.checks.filter((c) => !c.ok)).toEqual([]);
      expect(before.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['slot a sha256', 'slot a verity', 'slot b sha256', 'slot b verity', 'esp files', 'caches']));
      for (const [name, { fault, message }] of Object.entries(stickFaults)) {
        await fault(disk, work);
        try {
          const report = await verifyStick(disk);
          expect(report.ok, name).toBe(false);
          const bad = report.checks.filter((c) => !c.ok);
          expect(bad.map((c) => c.name), name).toEqual(failing[name]);
          expect(bad[0]!.detail, name).toMatch(await message(disk, 'app'));
          // and each failed check said in German from its typed finding (veritysetup's own words are data)
          setLocale('de');
          try {
            for (const c of bad) {
              const text = checkWords(c);
              expect(englishIn([dataOut(text)]), text).toEqual([]);
            }
          } finally {
            setLocale('en');
          }
          if (name === 'a slot byte') {
            // veritysetup names the 4 KiB data block the byte is in
            expect(bad[1]!.detail).toContain(`Verification failed at position ${Math.floor(SLOT_OFFSET / 4096) * 4096}.`);
          }
        } finally {
          await fault(disk, work); // the same flip again: the byte as it was
        }
      }
      expect((await verifyStick(disk)).checks.filter((c) => !c.ok)).toEqual([]);
    }, 300_000);
  }

  it("a damaged backup GPT header at the stick's end fails the gpt check (sgdisk still prints \"No problems found\")", async () => {
    const disk = disks.file!;
    // a byte of the backup header's own CRC (offset 16 of the disk's last sector)
    const at = SIZE - 512 + 16;
    await flipByte(disk, at);
    try {
      const report = await verifyStick(disk);
      const bad = report.checks.filter((c) => !c.ok);
      expect(bad.map((c) => c.name)).toEqual(['gpt']);
      expect(bad[0]!.detail).toMatch(/corrupt GPT|Backup header: ERROR|CRCs don't match/);
    } finally {
      await flipByte(disk, at);
    }
    expect((await verifyStick(disk)).checks.filter((c) => !c.ok)).toEqual([]);
  }, 120_000);

  it('a stamp that is no JSON fails the stamp check, said in German from its typed reason', async () => {
    const disk = disks.file!;
    const esp = await espImage(disk);
    const stamp = (await execa('mtype', ['-i', esp, '::/iios/stick.json'], { env: mtoolsEnv, stripFinalNewline: false })).stdout;
    const broken = join(work, 'stick-broken.json');
    const kept = join(work, 'stick-kept.json');
    await writeFile(kept, stamp);
    await writeFile(broken, '{ not json');
    await execa('mcopy', ['-o', '-i', esp, broken, '::/iios/stick.json'], { env: mtoolsEnv });
    try {
      const bad = (await verifyStick(disk)).checks.filter((c) => !c.ok);
      const check = bad.find((c) => c.name === 'stamp');
      expect(check?.said).toMatchObject({ key: 'stamp-unreadable', problem: { reason: 'stamp-not-json', file: '/iios/stick.json' } });
      setLocale('de');
      try {
        const text = checkWords(check!);
        expect(englishIn([dataOut(text)]), text).toEqual([]);
      } finally {
        setLocale('en');
      }
    } finally {
      await execa('mcopy', ['-o', '-i', esp, kept, '::/iios/stick.json'], { env: mtoolsEnv });
    }
    expect((await verifyStick(disk)).checks.filter((c) => !c.ok)).toEqual([]);
  }, 120_000);

  it('the command: exit 1 and a FAIL line naming the ESP file', async () => {
    const disk = disks.file!;
    const { fault } = stickFaults['an ESP file byte']!;
    await fault(disk, work);
    try {
      const r = await iios(['verify', disk]);
      expect(r.exitCode, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/^FAIL {2}esp files: ESP file \/loader\/loader\.conf reads back with sha256 [0-9a-f]{64}, expected [0-9a-f]{64}$/m);
      expect(r.stdout).toMatch(/NOT OK, 1 of \d+ checks failed/);
      const de = await iios(['verify', disk], { env: { ...process.env, LC_ALL: '', LC_MESSAGES: '', LANG: 'de_DE.UTF-8' } });
      expect(de.exitCode, de.stderr).toBe(1);
      expect(de.stdout).toMatch(/^FEHL {2}ESP-Dateien: ESP-Datei \/loader\/loader\.conf liest sich mit SHA-256 [0-9a-f]{64} zurück, erwartet war [0-9a-f]{64}$/m);
      const lines = de.stdout.trim().split('\n');
      expect(englishIn(lines.map(dataOut)), de.stdout).toEqual([]);
    } finally {
      await fault(disk, work);
    }
  }, 120_000);
});
