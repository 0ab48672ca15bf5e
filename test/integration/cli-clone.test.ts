// `iios clone` as a user runs it: a classroom stick written with `iios write`, cloned onto two image files with
// names from a pattern, saved with --to-image as a .img.zst that `iios write --image` takes back; refusals
// (source as target, bad usage) with a clear message and nothing written. The source's sha256 never changes.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeClassroomSource, type ClassroomSource } from '../support/classroom-source.ts';
import { iios, inspectJson } from '../support/iios-cli.ts';

const MiB = 1024 * 1024;
let src: ClassroomSource;
let work: string;
let source: string;

beforeAll(async () => {
  src = await writeClassroomSource('iios-cli-clone');
  ({ work, source } = src);
}, 300_000);
afterAll(async () => {
  await src?.cleanup();
});

describe('iios clone', () => {
  it('clones onto two image files named from the pattern, numbered from --first', async () => {
    const a = join(work, 'a.img');
    const b = join(work, 'b.img');
    const r = await iios(['clone', source, '--target', a, '--target', b, '--size', '1536M', '--name', 'class-{nn}', '--first', '5', '--yes'], { timeoutMs: 600_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    for (const [disk, name] of [[a, 'class-05'], [b, 'class-06']] as const) {
      const info = await inspectJson(disk);
      expect(info.complete).toBe(true);
      expect(info.stamp).toMatchObject({ hostname: name, profile: 'classroom' });
      expect((await stat(disk)).size).toBe(1536 * MiB);
    }
    expect(await src.unchanged()).toBe(true);
  }, 600_000);

  it('--to-image saves a .img.zst that iios write --image writes back as a complete stick', async () => {
    const saved = join(work, 'saved.img.zst');
    const r = await iios(['clone', source, '--to-image', saved, '--name', 'saved', '--yes'], { timeoutMs: 600_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    await expect(stat(join(work, 'saved.img'))).rejects.toThrow();
    const back = join(work, 'back.img');
    const w = await iios(['write', '--profile', 'raw', '--image', saved, '--target', back, '--size', '2G', '--name', 'back', '--yes'], { timeoutMs: 600_000 });
    expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    const info = await inspectJson(back);
    expect(info.complete).toBe(true);
    expect(info.stamp).toMatchObject({ hostname: 'saved', profile: 'classroom' });
    expect(await src.unchanged()).toBe(true);
  }, 600_000);

  it('refuses the source as a target, and a zstd image as a source, with nothing written', async () => {
    const same = await iios(['clone', source, '--target', source, '--yes']);
    expect(same.exitCode).not.toBe(0);
    expect(same.stdout + same.stderr).toMatch(/source; it is never written/);
    const zst = join(work, 'x.img.zst');
    await execa('zstd', ['-q', '-1', source, '-o', zst]);
    const out = join(work, 'never.img');
    const z = await iios(['clone', zst, '--target', out, '--size', '2G', '--yes']);
    expect(z.exitCode).not.toBe(0);
    expect(z.stdout + z.stderr).toMatch(/is a compressed image \(zstd\)\. Decompress it first \(zstd -d\)/);
    await expect(stat(out)).rejects.toThrow();
    expect(await src.unchanged()).toBe(true);
  }, 300_000);
});
