// A cache set "lab" of one `files` kind holding one file, built into its own library: the set-up of the tests of
// the fit rule through the job service. Points IIOS_CACHES_DIR at that library, as the job service reads it.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCacheSet } from '../../src-main/services/caches/build-cache-set.ts';
import { parseCacheSet } from '../../src-shared/caches/cache-set.ts';

export interface BuiltFilesSet {
  /** the folder everything lives in; a test's own files go there too, and go with `cleanup()` */
  work: string;
  setFile: string;
  cleanup(): Promise<void>;
}

export async function builtFilesSet(prefix: string, file: { name: string; content: string | Buffer }): Promise<BuiltFilesSet> {
  const work = await mkdtemp(join(tmpdir(), prefix));
  await mkdir(join(work, 'handouts'));
  await writeFile(join(work, 'handouts', file.name), file.content);
  process.env.IIOS_CACHES_DIR = join(work, 'library');
  const setFile = join(work, 'lab.yaml');
  const text = `format: 1\nid: lab\ntitle: Lab\ncaches:\n  files: { path: ${join(work, 'handouts')} }\n`;
  await writeFile(setFile, text);
  await buildCacheSet(parseCacheSet(text, setFile), { library: join(work, 'library'), baseDir: work });
  return { work, setFile, cleanup: () => rm(work, { recursive: true, force: true }) };
}
