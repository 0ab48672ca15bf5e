// `iios update` on appliance sticks written by the real helper (an image file and a loop device), checked with
// independent tools: slot B verifies with the stamp's new root hash, slot A still with v1's, the new entry boots
// next with three tries and the old one stays as the fallback. The helper killed at each step of an update
// leaves the old entry the default, slot A verifying and `iios inspect` naming the unfinished update.
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { defaultEntry, entryNames, entryText } from '../support/boot-order.ts';
import { espFile, makeLoop, partByName, readGpt, verityVerify, withMountedPart, type TestLoop } from '../support/helper-checks.ts';
import { iios } from '../support/iios-cli.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { runHelper } from '../support/run-helper.ts';

const MiB = 1024 * 1024;
const profile = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');
let v1: TestBundle;
let v2: TestBundle;
let big: TestBundle;
let work: string;
let golden: string;
const loops: TestLoop[] = [];

interface Stamp {
  complete: boolean;
  slots: Record<string, { version: string; rootHash: string; state?: string }>;
  update?: { slot: string; version: string };
}
const stampOf = async (disk: string) => JSON.parse((await espFile(disk, (await readGpt(disk)).parts, '/iios/stick.json'))!) as Stamp;

async function writeV1(path: string, kind: 'image-file' | 'device', sizeBytes: number): Promise<void> {
  const r = await runHelper({ jobId: 'w-v1', profile, bundleDir: v1.dir, manifest: v1.manifest, targets: [{ id: 't', kind, path, sizeBytes, hostname: 'kiosk-07' }] });
  expect(r.results, r.stderr).toEqual([{ targetId: 't', ok: true, verified: true }]);
}

beforeAll(async () => {
  v1 = await makeBundle({ randomBytes: 3 * MiB, name: 'iios-app', version: '1.0' });
  v2 = await makeBundle({ randomBytes: 3 * MiB, name: 'iios-app', version: '2.0' });
  // the 1700 MiB stick gives each slot what it has room for (about 79 MiB, the appliance prefers 1 GiB): more than that
  big = await makeBundle({ randomBytes: 96 * MiB, name: 'iios-app', version: '9.0' });
  work = await mkdtemp(join(tmpdir(), 'iios-update-it-'));
  golden = join(work, 'v1.img');
  await writeV1(golden, 'image-file', 1700 * MiB);
}, 600_000);
afterAll(async () => {
  for (const l of loops) await l.cleanup().catch(() => undefined);
  for (const b of [v1, v2, big]) await b?.cleanup();
  await rm(work, { recursive: true, force: true });
});

async function copyOfV1(name: string): Promise<string> {
  const path = join(work, name);
  await execa('cp', ['--sparse=always', golden, path]);
  return path;
}

async function expectUpdatedToV2(stick: string): Promise<void> {
  const { parts } = await readGpt(stick);
  const stamp = await stampOf(stick);
  expect(stamp.complete).toBe(true);
  expect(stamp.update).toBeUndefined();
  expect(stamp.slots.b).toMatchObject({ version: '2.0', rootHash: v2.manifest.verity.rootHash, state: 'pending' });
  expect(stamp.slots.a).toMatchObject({ version: '1.0', rootHash: v1.manifest.verity.rootHash, state: 'active' });
  expect(await verityVerify(stick, parts, 'b', stamp.slots.b!.rootHash)).toBe(0);
  expect(await verityVerify(stick, parts, 'a', v1.manifest.verity.rootHash)).toBe(0);
  const names = await entryNames(stick, parts);
  expect(names).toContain('iios-b+3.conf');
  expect(names.filter((n) => n.startsWith('iios-a'))).toHaveLength(1);
  expect(await defaultEntry(stick, parts)).toBe('iios-b+3.conf');
  expect(await entryText(stick, parts, 'iios-b+3.conf')).toContain(`iios.roothash=${v2.manifest.verity.rootHash}`);
  // slot B's three tries used up: systemd-boot sorts it last and the old slot A boots again
  const esp = partByName(parts, 'IIOS-ESP');
  await execa('mmove', ['-i', `${stick}@@${esp.start * 512}`, '::/loader/entries/iios-b+3.conf', '::/loader/entries/iios-b+0-3.conf'], { env: { MTOOLS_SKIP_CHECK: '1' } });
  expect(await defaultEntry(stick, parts)).toMatch(/^iios-a/);
  await execa('mmove', ['-i', `${stick}@@${esp.start * 512}`, '::/loader/entries/iios-b+0-3.conf', '::/loader/entries/iios-b+3.conf'], { env: { MTOOLS_SKIP_CHECK: '1' } });
  const bundles = await withMountedPart(stick, partByName(parts, 'iios-data'), (dir) => readdir(join(dir, '@iios/bundles')));
  expect(bundles.sort()).toEqual(['iios-app-1.0', 'iios-app-2.0']);
}

describe('iios update', () => {
  it('updates an image file from v1 to v2 into slot B; inspect shows B pending, A active', async () => {
    const stick = await copyOfV1('file.img');
    const t0 = performance.now();
    const r = await iios(['update', stick, '--bundle', v2.dir, '--yes'], { timeoutMs: 600_000 });
    console.log(`update of one image file: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    await expectUpdatedToV2(stick);
    const shown = (await iios(['inspect', stick])).stdout;
    expect(shown).toMatch(/slot B: 2\.0 pending \(will boot next, 3 tries left\)/);
    expect(shown).not.toMatch(/NEEDS REPAIR|interrupted/);
  }, 900_000);

  it('updates a stick on a loop device and four at once, each into its own inactive slot', async () => {
    const loop = await makeLoop(1700 * MiB);
    loops.push(loop);
    await writeV1(loop.dev, 'device', 1700 * MiB);
    const files = await Promise.all([1, 2, 3].map((i) => copyOfV1(`many-${i}.img`)));
    const t0 = performance.now();
    const r = await iios(['update', loop.dev, ...files, '--bundle', v2.dir, '--yes'], { timeoutMs: 900_000 });
    console.log(`update of four sticks (one loop device, three image files): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    for (const s of [loop.dev, ...files]) await expectUpdatedToV2(s);
  }, 1_200_000);

  it('refuses a bundle bigger than the inactive slot before writing, with the size it needs', async () => {
    const stick = await copyOfV1('small.img');
    const before = (await execa('sha256sum', [stick])).stdout.split(' ')[0];
    const r = await iios(['update', stick, '--bundle', big.dir, '--yes'], { timeoutMs: 300_000 });
    expect(r.exitCode).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/needs [\d.]+ [kMG]B, but slot B holds [\d.]+ [kMG]B\. Write the stick again with larger slots/);
    expect((await execa('sha256sum', [stick])).stdout.split(' ')[0]).toBe(before);
  }, 600_000);

  it('--from-stick takes the newest bundle of an updated stick, checked against its manifest', async () => {
    const carrier = await copyOfV1('carrier.img');
    expect((await iios(['update', carrier, '--bundle', v2.dir, '--yes'], { timeoutMs: 600_000 })).exitCode).toBe(0);
    const stick = await copyOfV1('field.img');
    const r = await iios(['update', stick, '--from-stick', carrier, '--yes'], { timeoutMs: 600_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    await expectUpdatedToV2(stick);
  }, 900_000);

  for (const step of ['stamp', 'entry-removed', 'root', 'verity', 'kernel', 'bundle']) {
    it(`killed after step ${step}: the old entry is the default, slot A verifies, inspect names the update`, async () => {
      const stick = await copyOfV1(`killed-${step}.img`);
      const size = (await execa('stat', ['-c', '%s', stick])).stdout.trim();
      const r = await runHelper(
        { kind: 'update', jobId: `u-${step}`, source: { kind: 'bundle', dir: v2.dir }, targets: [{ id: 't', kind: 'image-file', path: stick, sizeBytes: Number(size) }] },
        { env: { IIOS_TEST_KILL_UPDATE_AT: step }, timeoutMs: 300_000 },
      );
      expect(r.results).toBeNull();
      const { parts } = await readGpt(stick);
      expect(await defaultEntry(stick, parts)).toMatch(/^iios-a/);
      const bEntries = (await entryNames(stick, parts)).filter((n) => n.startsWith('iios-b'));
      if (step === 'stamp') {
        // killed before B's entry went: B is untouched, so the entry still boots what it always booted
        expect(await verityVerify(stick, parts, 'b', v1.manifest.verity.rootHash)).toBe(0);
      } else {
        // from the entry's removal on, slot B is being rewritten: no entry may point at it
        expect(bEntries).toEqual([]);
      }
      const stamp = await stampOf(stick);
      expect(stamp.complete).toBe(true);
      expect(stamp.update).toMatchObject({ slot: 'b', version: '2.0' });
      expect(stamp.slots.b).toBeUndefined();
      expect(stamp.slots.a!.rootHash).toBe(v1.manifest.verity.rootHash);
      expect(await verityVerify(stick, parts, 'a', stamp.slots.a!.rootHash)).toBe(0);
      expect((await iios(['inspect', stick])).stdout).toMatch(/update to 2\.0 interrupted: slot B incomplete, A active/);
      // and the next update finishes the job
      expect((await iios(['update', stick, '--bundle', v2.dir, '--yes'], { timeoutMs: 600_000 })).exitCode).toBe(0);
      await expectUpdatedToV2(stick);
    }, 900_000);
  }
});

describe('iios payload', () => {
  it('replaces a kiosk stick\'s payload files and records them in the stamp; a payload too big is refused before writing', async () => {
    const stick = join(work, 'kiosk.img');
    const first = join(work, 'piece.html');
    await writeFile(first, '<h1>first</h1>\n');
    const w = await iios(['write', '--profile', 'kiosk', '--bundle', v1.dir, '--target', stick, '--size', '2G', '--name', 'kiosk-01', '--payload', first, '--yes'], { timeoutMs: 600_000 });
    expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    const huge = join(work, 'huge.bin');
    await execa('truncate', ['-s', '40M', huge]);
    const before = (await execa('sha256sum', [stick])).stdout.split(' ')[0];
    const refused = await iios(['payload', stick, '--file', huge, '--yes']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout + refused.stderr).toMatch(/the files take 41\.9 MB, the stick's kiosk-file partition holds at most [\d.]+ [kMG]B/);
    expect((await execa('sha256sum', [stick])).stdout.split(' ')[0]).toBe(before);

    const a = join(work, 'menu.html');
    const b = join(work, 'config.json');
    await writeFile(a, '<h1>menu</h1>\n');
    await writeFile(b, '{"screen":2}\n');
    const r = await iios(['payload', stick, '--file', a, '--file', b, '--yes'], { timeoutMs: 300_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const stamp = (await stampOf(stick)) as unknown as { payload: { path: string; sizeBytes: number }[]; slots: Record<string, { version: string }> };
    expect(stamp.payload.map((p) => [p.path, p.sizeBytes])).toEqual([['/menu.html', 14], ['/config.json', 13]]);
    const { parts } = await readGpt(stick);
    const files = await withMountedPart(stick, partByName(parts, 'iios-payload'), async (dir) => (await readdir(dir)).filter((n) => n !== 'lost+found').sort());
    expect(files).toEqual(['config.json', 'menu.html']);
    expect(stamp.slots.a!.version).toBe('1.0');
  }, 900_000);
});
