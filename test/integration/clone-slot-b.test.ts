// A clone of a stick whose two slots hold different bundles (as after an update of slot B): the source is an
// appliance stick written with one bundle, then given another bundle in slot B from the host (its squashfs and
// hash tree in iios-root-b/iios-verity-b, its manifest in @iios/bundles/, its record in the stamp's slots.b).
// The clone verifies each slot against what the stamp says that slot holds: it is cloned and verified (checked
// again with veritysetup and slot B's own root hash), and a byte of slot B changed between writing and verifying
// the clone fails it, naming slot b.
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { runHelper } from '../support/run-helper.ts';
import { flipByte } from '../support/stick-faults.ts';
import { gptParts, readStamp, verityVerify, withBtrfs } from '../support/written-stick.ts';

const MiB = 1024 * 1024;
const SIZE = 1700 * MiB;
const isRoot = process.getuid?.() === 0;
const profile = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');

let one: TestBundle;
let two: TestBundle;
let work = '';
let source = '';

/** Puts bundle `b` into slot B of `disk` as an update would: its bytes, its manifest on the stick, its stamp record. */
async function putInSlotB(disk: string, b: TestBundle): Promise<void> {
  const parts = await gptParts(disk);
  const m = b.manifest;
  for (const [part, file] of [['iios-root-b', m.rootfs.file], ['iios-verity-b', m.verity!.hashFile]] as const) {
    const at = parts.find((p) => p.name === part)!.start;
    await execa('dd', [`if=${join(b.dir, file)}`, `of=${disk}`, 'bs=1M', `seek=${at}`, 'oflag=seek_bytes', 'conv=notrunc,fsync', 'status=none']);
  }
  await withBtrfs(disk, 'iios-data', async (mnt) => {
    const dir = join(mnt, '@iios', 'bundles', `${m.name}-${m.version}`);
    await mkdir(dir, { recursive: true });
    await copyFile(join(b.dir, 'manifest.json'), join(dir, 'manifest.json'));
  }, { readOnly: false });
  const stamp = await readStamp(disk);
  (stamp.slots as Record<string, object>).b = { ...stamp.slots.b, bundle: m.name, version: m.version, rootHash: m.verity!.rootHash, rootfsSha256: m.files[m.rootfs.file]!.sha256, rootfsBytes: m.rootfs.sizeBytes };
  const file = join(work, 'stick.json');
  await writeFile(file, JSON.stringify(stamp, null, 2));
  const esp = parts.find((p) => p.name === 'IIOS-ESP')!;
  await execa('mcopy', ['-o', '-i', `${disk}@@${esp.start}`, file, '::/iios/stick.json'], { env: { MTOOLS_SKIP_CHECK: '1' } });
}

describe.skipIf(!isRoot)('a clone of a stick whose slot B holds another bundle', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'iios-slot-b-'));
    one = await makeBundle({ randomBytes: 6 * MiB, name: 'iios-one', version: '1.0' });
    two = await makeBundle({ randomBytes: 3 * MiB, name: 'iios-two', version: '2.0' });
    source = join(work, 'source.img');
    const w = await runHelper({ jobId: 'slot-b-source', profile, bundleDir: one.dir, manifest: one.manifest, targets: [{ id: 'src', kind: 'image-file', path: source, sizeBytes: SIZE, hostname: 'updated' }] });
    expect(w.results?.[0], w.stderr).toMatchObject({ ok: true, verified: true });
    await putInSlotB(source, two);
  }, 600_000);
  afterAll(async () => {
    await one?.cleanup();
    await two?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is cloned and verified, each slot against its own record; slot B verifies with its own root hash', async () => {
    const clone = join(work, 'clone.img');
    const r = await runHelper({ kind: 'clone', jobId: 'slot-b-clone', sourcePath: source, targets: [{ id: 'c', kind: 'image-file', path: clone, sizeBytes: SIZE, hostname: 'copy-1' }] });
    expect(r.results?.[0], `${r.failed('c')?.message ?? ''}\n${r.stderr}`).toMatchObject({ ok: true, verified: true });
    const stamp = await readStamp(clone);
    expect(stamp.slots.b).toMatchObject({ bundle: 'iios-two', version: '2.0' });
    expect(await verityVerify(clone, 'b', two.manifest.verity!.rootHash)).toBe(true);
    expect(await verityVerify(clone, 'a', one.manifest.verity!.rootHash)).toBe(true);
  }, 600_000);

  it('a byte of slot B changed between writing and verifying the clone fails it, naming slot b', async () => {
    const clone = join(work, 'faulted.img');
    const gate = await mkdtemp(join(tmpdir(), 'iios-gate-'));
    let faulted = false;
    try {
      const r = await runHelper(
        { kind: 'clone', jobId: 'slot-b-fault', sourcePath: source, targets: [{ id: 'f', kind: 'image-file', path: clone, sizeBytes: SIZE, hostname: 'copy-2' }] },
        {
          env: { IIOS_TEST_VERIFY_GATE: gate },
          onEvent: async (e) => {
            if (e.kind !== 'phase' || e.phase !== 'verify') return;
            try {
              const rootB = (await gptParts(clone)).find((p) => p.name === 'iios-root-b')!;
              await flipByte(clone, rootB.start + MiB + 321);
              faulted = true;
            } finally {
              await writeFile(join(gate, e.targetId), '');
            }
          },
        },
      );
      expect(faulted, r.stderr).toBe(true);
      expect(r.results?.[0], r.stderr).toMatchObject({ ok: false, verified: false });
      expect(r.failed('f')?.message).toMatch(/^verify failed: slot b reads back with sha256 [0-9a-f]{64}, expected [0-9a-f]{64}/);
    } finally {
      await rm(gate, { recursive: true, force: true });
    }
  }, 600_000);
});
