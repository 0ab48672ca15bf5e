// One cache manifest that must come out the same wherever it is built: the writer's format ("sha256 size path"
// lines of the regular files, sorted, joined by "\n"; its sha256 goes into the stamp), the helper's verify
// (cacheManifestOf) and `iios verify` (cacheManifestSha256). A temp directory with names whose order is easy to
// get wrong ("a-c" sorts before "a/b"), an empty file, a nested one and a symlink (a line of its own: the sha256
// of its target text, 0, its path and "-> target"; not counted among the files).
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheManifestOf } from '../../helpers/steps/verify-caches.ts';
import { cacheManifestSha256 } from '../../src-main/services/stick/stick-caches.ts';
import { cacheManifestText } from '../../src-shared/profile/cache-manifest.ts';
import { cacheFileDifferences } from '../../src-shared/verify/stick-checks.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iios-cache-manifest-'));
  await mkdir(join(dir, 'a/b'), { recursive: true });
  await writeFile(join(dir, 'a/b/deep.deb'), 'deep\n');
  await writeFile(join(dir, 'a-c'), 'dash\n');
  await writeFile(join(dir, 'Z'), '');
  await writeFile(join(dir, 'été.bin'), Buffer.alloc(5000, 3));
  await symlink('a-c', join(dir, 'link')); // covered by its target text, never followed
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cache manifest', () => {
  it("the helper verify and iios verify hash the text the writer's format gives", async () => {
    const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
    const byHand = [
      `${sha('')} 0 Z`,
      `${sha('dash\n')} 5 a-c`,
      `${sha('deep\n')} 5 a/b/deep.deb`,
      `${sha('a-c')} 0 link -> a-c`,
      `${sha(Buffer.alloc(5000, 3))} 5000 été.bin`,
    ].join('\n');
    const helper = await cacheManifestOf(dir);
    expect(helper).toMatchObject({ sha256: sha(byHand), files: 4, sizeBytes: 5010 });
    expect(await cacheManifestSha256(dir)).toEqual(helper);
  });

  it('a link pointed elsewhere changes the manifest, and the difference names it', async () => {
    const before = await cacheManifestOf(dir);
    await rm(join(dir, 'link'));
    await symlink('/etc/shadow', join(dir, 'link'));
    try {
      const after = await cacheManifestOf(dir);
      expect(after.sha256).not.toBe(before.sha256);
      expect(await cacheManifestSha256(dir)).toEqual(after);
      expect(cacheFileDifferences(before.entries, after.entries)).toEqual(['link reads back as a link to /etc/shadow, expected a link to a-c']);
    } finally {
      await rm(join(dir, 'link'));
      await symlink('a-c', join(dir, 'link'));
    }
  });

  it('one changed byte (same size) changes the manifest sha256', async () => {
    const before = await cacheManifestOf(dir);
    await writeFile(join(dir, 'a-c'), 'dasH\n');
    const after = await cacheManifestOf(dir);
    expect(after.sizeBytes).toBe(before.sizeBytes);
    expect(after.sha256).not.toBe(before.sha256);
    await writeFile(join(dir, 'a-c'), 'dash\n');
  });

  it('lines sorted by path in code-unit order, no final newline', () => {
    const text = cacheManifestText([
      { path: 'a/b', sizeBytes: 1, sha256: 'x' },
      { path: 'Z', sizeBytes: 2, sha256: 'y' },
      { path: 'a-c', sizeBytes: 3, sha256: 'z' },
    ]);
    expect(text).toBe('y 2 Z\nz 3 a-c\nx 1 a/b');
  });
});
