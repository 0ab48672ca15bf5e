// The bytes and files a built cache holds, counted without following links (a cache's links stay links on
// the stick, so they cost nothing there).
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Regular files under `dir`, "/"-separated relative paths, with their sizes. */
export async function filesUnder(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const walk = async (folder: string): Promise<void> => {
    for (const e of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const p = join(folder, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.set(relative(dir, p).split(sep).join('/'), (await lstat(p)).size);
    }
  };
  await walk(dir);
  return out;
}

export async function bytesUnder(dir: string): Promise<number> {
  let n = 0;
  for (const size of (await filesUnder(dir)).values()) n += size;
  return n;
}
