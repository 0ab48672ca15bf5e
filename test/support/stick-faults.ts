// Faults a verify exists for, each one byte of a written appliance stick changed through the system tools
// (never iios's code): in slot a, in slot a's hash tree, in an ESP file, in a cache file. Applying a fault
// twice undoes it (each flips the same bits again), so one written stick serves several checks.
import { open, mkdir, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { bytesOf, partByName, readGpt, withMountedPart } from './helper-checks.ts';

const MiB = 1024 * 1024;
export const mtoolsEnv = { MTOOLS_SKIP_CHECK: '1' };

/** The stick's ESP as mtools names it: `disk@@offset`. */
export async function espImage(disk: string): Promise<string> {
  return `${disk}@@${bytesOf(partByName((await readGpt(disk)).parts, 'IIOS-ESP')).offset}`;
}

/** The apt cache the tests' sticks carry: two files, 3 MiB + 17 bytes. */
export async function makeAptCache(work: string): Promise<string> {
  const dir = join(work, 'apt');
  await mkdir(join(dir, 'archives'), { recursive: true });
  await writeFile(join(dir, 'archives/hello_1.0_amd64.deb'), 'not really a deb\n');
  await writeFile(join(dir, 'pkgcache.bin'), Buffer.alloc(3 * MiB, 7));
  return dir;
}

/** Flips every bit of the byte at `at` of a disk or image file, through its own node (no cache left dirty). */
export async function flipByte(disk: string, at: number): Promise<void> {
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

type Fault = (disk: string, work: string) => Promise<void>;

export const SLOT_OFFSET = 3 * MiB + 12345;

/**
 * Each fault, and what a verify must say about it (without the helper's "verify failed: " prefix). The helper
 * holds the bundle and the cache's file list, so it also names the slot's first differing byte and the file;
 * `iios verify` has only the stamp's hashes.
 */
export const stickFaults: Record<string, { fault: Fault; message: (disk: string, side: 'helper' | 'app') => Promise<RegExp> }> = {
  'a slot byte': {
    fault: async (disk) => flipByte(disk, bytesOf(partByName((await readGpt(disk)).parts, 'iios-root-a')).offset + SLOT_OFFSET),
    message: async (disk, side) => {
      const start = bytesOf(partByName((await readGpt(disk)).parts, 'iios-root-a')).offset;
      const sha = 'slot a reads back with sha256 [0-9a-f]{64}, expected [0-9a-f]{64}';
      return new RegExp(side === 'app' ? `^${sha}$` : `^${sha}; the first differing byte is ${SLOT_OFFSET} of the slot \\(byte ${start + SLOT_OFFSET} of the disk\\)`);
    },
  },
  'a hash-tree byte': {
    // 4096: the first block of the tree behind veritysetup's superblock
    fault: async (disk) => flipByte(disk, bytesOf(partByName((await readGpt(disk)).parts, 'iios-verity-a')).offset + 4096 + 17),
    message: async () => /^slot a does not verify against iios-verity-a with root hash [0-9a-f]{12}…: veritysetup verify: Verification failed at position \d+\./,
  },
  'an ESP file byte': {
    fault: async (disk, work) => {
      const img = `${disk}@@${bytesOf(partByName((await readGpt(disk)).parts, 'IIOS-ESP')).offset}`;
      const text = (await execa('mtype', ['-i', img, '::/loader/loader.conf'], { env: mtoolsEnv, stripFinalNewline: false })).stdout;
      const changed = join(work, `loader-${Date.now()}.conf`);
      await writeFile(changed, `${String.fromCharCode(text.charCodeAt(0) ^ 1)}${text.slice(1)}`); // same size, the first byte's low bit flipped
      await execa('mcopy', ['-o', '-i', img, changed, '::/loader/loader.conf'], { env: mtoolsEnv });
      await rm(changed);
    },
    message: async () => /^ESP file \/loader\/loader\.conf reads back with sha256 [0-9a-f]{64}, expected [0-9a-f]{64}$/,
  },
  'a cache file byte': {
    fault: async (disk) => {
      const data = partByName((await readGpt(disk)).parts, 'iios-data');
      await withMountedPart(disk, data, async (dir) => flipByte(join(dir, '@caches/apt/pkgcache.bin'), 1234), false);
    },
    message: async (_disk, side) => {
      const kind = 'cache apt: reads back as 2 files \\/ 3145745 bytes with manifest sha256 [0-9a-f]{64}, expected 2 \\/ 3145745 with [0-9a-f]{64}';
      const file = ' \\(pkgcache\\.bin reads back with sha256 [0-9a-f]{64} \\(3145728 bytes\\), expected [0-9a-f]{64} \\(3145728 bytes\\)\\)';
      return new RegExp(`^${kind}${side === 'helper' ? file : ''}$`);
    },
  },
};

