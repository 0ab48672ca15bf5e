// The bytes of the regular files under a folder, links not followed (a link costs nothing on the stick).
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function treeBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += await treeBytes(p);
    else if (e.isFile()) n += (await lstat(p)).size;
  }
  return n;
}
