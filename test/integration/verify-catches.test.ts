// The helper's own verify meets the faults it exists for. Each job writes an appliance stick (A/B verity slots,
// ESP, caches) onto a loop device and an image file; when a target's `verify` phase event arrives, the test
// changes one byte of it — in slot a, in slot a's hash tree, in an ESP file, in a cache file — and only then
// lets verify read (IIOS_TEST_VERIFY_GATE: the helper waits for the test's gate file after that event). Each
// target must then fail with a message naming what mismatched (and, for a slot, where).
import { open, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { bytesOf, makeLoop, partByName, readGpt, withMountedPart, type TestLoop } from '../support/helper-checks.ts';
import { runHelper } from '../support/run-helper.ts';

const MiB = 1024 * 1024;
const SIZE = 1700 * MiB;
const profile = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');
const mtoolsEnv = { MTOOLS_SKIP_CHECK: '1' };

let bundle: TestBundle;
let work: string;
let aptCache: string;
beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 6 * MiB, name: 'iios-catch', version: '1.0' });
  work = await mkdtemp(join(tmpdir(), 'iios-catch-'));
  aptCache = join(work, 'apt');
  await mkdir(join(aptCache, 'archives'), { recursive: true });
  await writeFile(join(aptCache, 'archives/hello_1.0_amd64.deb'), 'not really a deb\n');
  await writeFile(join(aptCache, 'pkgcache.bin'), Buffer.alloc(3 * MiB, 7));
});
afterAll(async () => {
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Flips every bit of the byte at `at` of a disk or image file, through its own node (no cache left dirty). */
async function flipByte(disk: string, at: number): Promise<void> {
  const fh = await open(disk, 'r+');
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

type Fault = (disk: string) => Promise<void>;

const SLOT_OFFSET = 3 * MiB + 12345;

const faults: Record<string, { fault: Fault; message: (disk: string) => Promise<RegExp> }> = {
  'a slot byte': {
    fault: async (disk) => flipByte(disk, bytesOf(partByName((await readGpt(disk)).parts, 'iios-root-a')).offset + SLOT_OFFSET),
    message: async (disk) => {
      const start = bytesOf(partByName((await readGpt(disk)).parts, 'iios-root-a')).offset;
      return new RegExp(`^verify failed: slot a reads back with sha256 [0-9a-f]{64}, expected [0-9a-f]{64}; the first differing byte is ${SLOT_OFFSET} of the slot \\(byte ${start + SLOT_OFFSET} of the disk\\)`);
    },
  },
  'a hash-tree byte': {
    // 4096: the first block of the tree behind veritysetup's superblock
    fault: async (disk) => flipByte(disk, bytesOf(partByName((await readGpt(disk)).parts, 'iios-verity-a')).offset + 4096 + 17),
    message: async () => /^verify failed: slot a does not verify against iios-verity-a with root hash [0-9a-f]{12}…: veritysetup verify: Verification failed at position \d+\./,
  },
  'an ESP file byte': {
    fault: async (disk) => {
      const img = `${disk}@@${bytesOf(partByName((await readGpt(disk)).parts, 'IIOS-ESP')).offset}`;
      const text = (await execa('mtype', ['-i', img, '::/loader/loader.conf'], { env: mtoolsEnv, stripFinalNewline: false })).stdout;
      const changed = join(work, `loader-${Date.now()}.conf`);
      await writeFile(changed, `${text[0] === '#' ? '!' : '#'}${text.slice(1)}`); // same size, first byte other
      await execa('mcopy', ['-o', '-i', img, changed, '::/loader/loader.conf'], { env: mtoolsEnv });
      await rm(changed);
    },
    message: async () => /^verify failed: ESP file \/loader\/loader\.conf reads back with sha256 [0-9a-f]{64}, expected [0-9a-f]{64}$/,
  },
  'a cache file byte': {
    fault: async (disk) => {
      const data = partByName((await readGpt(disk)).parts, 'iios-data');
      await withMountedPart(disk, data, async (dir) => flipByte(join(dir, '@caches/apt/pkgcache.bin'), 1234), false);
    },
    message: async () => /^verify failed: cache apt: reads back as 2 files \/ 3145745 bytes with manifest sha256 [0-9a-f]{64}, expected 2 \/ 3145745 with [0-9a-f]{64} \(pkgcache\.bin reads back with sha256 [0-9a-f]{64} \(3145728 bytes\), expected [0-9a-f]{64} \(3145728 bytes\)\)$/,
  },
};

describe("the helper's verify catches a stick changed between writing and verifying", () => {
  for (const [name, { fault, message }] of Object.entries(faults)) {
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
                await fault(disks[e.targetId]!);
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
          expect(r.failed(id)?.message).toMatch(await message(disks[id]!));
        }
      } finally {
        await loop?.cleanup();
        await rm(img, { force: true });
        await rm(gate, { recursive: true, force: true });
      }
    }, 300_000);
  }
});
