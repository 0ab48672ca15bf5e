// A disk that is not an iios stick (a GPT image as dd or an installer leaves it) cloned raw by the real helper:
// only up to the end of its last partition, onto a smaller image file and a larger loop device, read back
// against the source as it was read, the GPT's backup moved to each target's end; a target smaller than the
// used extent refused before anything is written. The source's sha256 never changes.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHelper } from '../support/run-helper.ts';
import { makeLoop, readGpt, sha256Range } from '../support/helper-checks.ts';

const MiB = 1024 * 1024;
let work: string;
let source: string;
let sourceSha: string;

const sha256 = async (p: string) => (await execa('sha256sum', [p])).stdout.split(' ')[0]!;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-clone-raw-'));
  source = join(work, 'dd-disk.img');
  await execa('truncate', ['-s', '64M', source]);
  // one 20 MiB partition at 1 MiB: the used extent ends at 21 MiB of the 64 MiB disk
  await execa('sgdisk', ['-o', '-n', '1:2048:+20M', '-c', '1:installer', '-t', '1:8300', source]);
  await execa('mkfs.ext4', ['-F', '-q', '-L', 'installer', '-E', 'offset=1048576', source, `${20 * 1024}k`]);
  await execa('debugfs', ['-w', '-R', 'mkdir /marker', `${source}?offset=1048576`]);
  sourceSha = await sha256(source);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('clone: a disk that is not an iios stick', () => {
  it('is copied up to its last partition onto a smaller file and a larger loop, GPT moved to the end', async () => {
    const small = join(work, 'small.img');
    const loop = await makeLoop(128 * MiB);
    try {
      const r = await runHelper({
        kind: 'clone',
        jobId: 'raw-clone',
        sourcePath: source,
        targets: [
          { id: 't1', kind: 'image-file', path: small, sizeBytes: 32 * MiB, hostname: 'copy-1' },
          { id: 't2', kind: 'device', path: loop.dev, sizeBytes: 128 * MiB, hostname: 'copy-2' },
        ],
      });
      expect(r.results, r.stderr + JSON.stringify(r.events.filter((e) => e.kind !== 'progress'))).toEqual([
        { targetId: 't1', ok: true, verified: true },
        { targetId: 't2', ok: true, verified: true },
      ]);
      const want = await sha256Range(source, MiB, 20 * MiB);
      for (const [disk, bytes] of [[small, 32 * MiB], [loop.dev, 128 * MiB]] as const) {
        const { verify, parts } = await readGpt(disk);
        expect(verify).toMatch(/No problems found/);
        expect(parts.map((p) => [p.name, p.start, p.end])).toEqual([['installer', 2048, 2048 + 20 * 2048 - 1]]);
        expect(await sha256Range(disk, MiB, 20 * MiB)).toBe(want);
        // the backup header now sits in the target's last sector
        const backup = await sha256Range(disk, bytes - 512, 8);
        expect(backup).toBe(await sha256Range(source, 512, 8));
      }
      expect((await stat(small)).size).toBe(32 * MiB);
      expect(await sha256(source)).toBe(sourceSha);
    } finally {
      await rm(small, { force: true });
      await loop.cleanup();
    }
  }, 300_000);

  it('a target smaller than the used extent is refused before anything is written', async () => {
    const tiny = join(work, 'tiny.img');
    const r = await runHelper({ kind: 'clone', jobId: 'raw-tiny', sourcePath: source, targets: [{ id: 't1', kind: 'image-file', path: tiny, sizeBytes: 16 * MiB, hostname: 'copy-3' }] });
    expect(r.failed('t1')?.message).toMatch(/needs at least .*to clone the source raw/);
    expect(r.phases('t1')).toEqual(['check']);
    await expect(stat(tiny)).rejects.toThrow();
    expect(await sha256(source)).toBe(sourceSha);
  }, 120_000);
});
