// What the GUI's cache step calls (contract domain "cachesets"), in plain Node: the sets of the user's
// cache-sets folder with each kind's size and last build, a build with its progress pushed as events, and a
// second build refused while one runs.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CacheSetsApi } from '../../src-main/services/caches/cache-sets-api.ts';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-cachesets-api-'));
  process.env.XDG_CONFIG_HOME = join(work, 'config');
  await mkdir(join(work, 'config/iios/cache-sets'), { recursive: true });
  await mkdir(join(work, 'handouts'));
  await writeFile(join(work, 'handouts', 'a.txt'), 'x'.repeat(5000));
  await writeFile(join(work, 'config/iios/cache-sets/class.yaml'), `format: 1\nid: class\ntitle: Class\ncaches:\n  files: { path: ${join(work, 'handouts')} }\n`);
  await writeFile(join(work, 'config/iios/cache-sets/broken.yaml'), 'format: 2\n');
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

it('lists sets, builds one with progress, refuses a second build meanwhile, and shows it built', async () => {
  const events: { event: string; payload: unknown }[] = [];
  const api = new CacheSetsApi({ emit: (event, payload) => void events.push({ event, payload }) }, join(work, 'library'));
  const before = await api.list();
  // the broken file is left out of the list, never a reason for it to fail
  expect(before).toEqual([{ id: 'class', title: 'Class', file: join(work, 'config/iios/cache-sets/class.yaml'), kinds: [{ kind: 'files', sizeBytes: null, files: null, builtAt: null }], builtBytes: 0, builtFiles: 0, complete: false }]);
  const building = api.build('class');
  await expect(api.build('class')).rejects.toThrow('cache set class is being built');
  const result = await building;
  expect(result).toEqual([expect.objectContaining({ kind: 'files', items: 1, newItems: ['a.txt'], sizeBytes: 5000 })]);
  // the steps go out as data (the GUI words them): the last one says what the kind now holds
  const last = events.filter((e) => e.event === 'cachesets.progressed').at(-1)?.payload;
  expect(last).toEqual({ set: 'class', kind: 'files', fraction: 1, step: { step: 'done', unit: 'files', count: 1, newCount: 1 } });
  const after = await api.open('class');
  expect(after).toMatchObject({ builtBytes: 5000, builtFiles: 1, complete: true });
  expect(after.kinds[0]!.builtAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  await expect(api.open('nope')).rejects.toThrow(/no cache set nope: .*\(there: class\)/);
});
