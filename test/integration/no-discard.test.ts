// iios writes the content and nothing more: mkfs does not discard the partitions it makes. On a stick a discard
// through a loop device arrives as zero-writes of the whole partition (a 64 GB stick: ten minutes for a few MB of
// content). A loop device over a file turns a discard into punched holes, so bytes that were there before the write
// and that no filesystem block covers must still be there afterwards.
import { open } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { runHelper } from '../support/run-helper.ts';
import { bytesOf, makeLoop, partByName, readGpt, type TestLoop } from '../support/helper-checks.ts';

const MiB = 1024 * 1024;
const MARK = 0xa5;
const profile = (id: string) => parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles', `${id}.yaml`), 'utf8'), `${id}.yaml`, id);

let bundle: TestBundle;
beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 2 * MiB, name: 'iios-nodiscard', version: '1.0' });
});
afterAll(async () => {
  await bundle?.cleanup();
});

/** Fills [offset, offset+length) of a file with MARK bytes. */
async function mark(file: string, offset: number, length: number): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.write(Buffer.alloc(length, MARK), 0, length, offset);
  } finally {
    await fh.close();
  }
}

async function markedBytes(file: string, offset: number, length: number): Promise<number> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, offset);
    return buf.reduce((n, b) => n + (b === MARK ? 1 : 0), 0);
  } finally {
    await fh.close();
  }
}

describe('no discard beyond the content', () => {
  it.each([
    ['classroom', 'iios-system'],
    ['appliance', 'iios-data'],
  ])('%s: the unused end of its Btrfs partition keeps the bytes it had', async (id, partName) => {
    const size = id === 'appliance' ? 1700 * MiB : 700 * MiB;
    let loop: TestLoop | null = null;
    try {
      loop = await makeLoop(size);
      // 16 MiB inside the Btrfs partition that ends 1 MiB before the stick's end, clear of what is written on
      // purpose: its superblock copies (64 KiB, 64 MiB), the chunks a few MB of content take at its start, and the
      // 2 MiB mkfs.btrfs zeroes at the end of the device it is given (old signatures there)
      const probe = { offset: size - 20 * MiB, length: 16 * MiB };
      await mark(loop.file, probe.offset, probe.length);
      const r = await runHelper({ jobId: `nodiscard-${id}`, profile: profile(id), bundleDir: bundle.dir, manifest: bundle.manifest, targets: [{ id: 't1', kind: 'device', path: loop.dev, sizeBytes: size, hostname: 'nd-01' }] });
      expect(r.results, r.stderr).toEqual([{ targetId: 't1', ok: true, verified: true }]);
      const part = bytesOf(partByName((await readGpt(loop.file)).parts, partName));
      expect(part.offset).toBeLessThan(probe.offset);
      expect(part.offset + part.size).toBeGreaterThan(probe.offset + probe.length);
      expect(await markedBytes(loop.file, probe.offset, probe.length)).toBe(probe.length);
    } finally {
      await loop?.cleanup();
    }
  });
});
