// `iios caches update` onto a stick without room for the new build: a stick written with a small cache set, the set
// then grown past what its caches partition has free. The update is refused before anything is written, with the
// room it needs and what to do; the stick keeps its complete stamp and its caches as they were.
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iios, inspectJson } from '../support/iios-cli.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { readStamp } from '../support/written-stick.ts';

const MiB = 1024 ** 2;
let work: string;
let bundle: TestBundle;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-cache-update-room-'));
  process.env.IIOS_CACHES_DIR = join(work, 'library');
  process.env.XDG_CONFIG_HOME = join(work, 'config');
  bundle = await makeBundle({ randomBytes: 1 * MiB, name: 'iios-cache-room', version: '1.0' });
}, 120_000);
afterAll(async () => {
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('iios caches update without room', () => {
  it('refuses before writing, says the room it needs, and leaves the stick complete with its caches', async () => {
    const handouts = join(work, 'handouts');
    await mkdir(handouts);
    await writeFile(join(handouts, 'welcome.txt'), 'welcome to the lab\n');
    const setFile = join(work, 'lab.yaml');
    await writeFile(setFile, ['format: 1', 'id: lab', 'title: Lab', 'caches:', `  files: { path: ${handouts} }`, ''].join('\n'));
    expect((await iios(['caches', 'build', setFile])).exitCode).toBe(0);
    const img = join(work, 'stick.img');
    const w = await iios(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', img, '--size', '2G', '--cache-set', setFile, '--yes']);
    expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    const before = await readStamp(img);

    // the set grows by a file bigger than the whole stick (sparse: cheap to build, and refused before any copy)
    await writeFile(join(handouts, 'film.mkv'), '');
    await truncate(join(handouts, 'film.mkv'), 2500 * MiB);
    expect((await iios(['caches', 'build', setFile])).exitCode).toBe(0);

    const u = await iios(['caches', 'update', img, '--cache-set', setFile, '--yes']);
    expect(u.exitCode).not.toBe(0);
    expect(u.stdout + u.stderr).toMatch(/has [\d.]+ [MG]B free for caches, the update needs 2\.7 GB: make the cache set smaller, or write the cache set onto a bigger stick .*\(nothing was written\)/);
    const info = await inspectJson(img);
    expect(info.complete).toBe(true);
    expect(await readStamp(img)).toEqual(before);
  }, 600_000);
});
