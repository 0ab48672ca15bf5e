// The helper's umount: a folder that is no longer mounted (umount(8) failed after the unmount itself succeeded,
// killed by the job's cancel at its end) is not retried for 4.5 s; a mounted one is seen as mounted.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMountPoint, umount } from '../../helpers/tools/mount.ts';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('helper umount', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iios-umount-'));
  });
  afterAll(async () => {
    await execa('umount', [dir], { reject: false });
    await rm(dir, { recursive: true, force: true });
  });

  it('sees a mount point, unmounts it, and returns at once for a folder that is not mounted', async () => {
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'iios-umount-test', dir]);
    expect(await isMountPoint(dir)).toBe(true);
    await umount(dir);
    expect(await isMountPoint(dir)).toBe(false);
    const started = performance.now();
    await umount(dir);
    expect(performance.now() - started).toBeLessThan(1500);
  });
});
