// Paths inside a system tree that is not the running system: symbolic links are followed as if the tree were
// /, so an absolute link such as /lib -> /usr/lib (or a hostile one to /etc/shadow) never leaves the tree.
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** The host path of `rel` inside `root`, with every link resolved within root; null when it does not exist. */
export async function resolveInRoot(root: string, rel: string): Promise<string | null> {
  const todo = rel.split('/').filter(Boolean);
  const done: string[] = [];
  for (let hops = 0; todo.length > 0; ) {
    const part = todo.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const here = join(root, ...done, part);
    const st = await lstat(here).catch(() => null);
    if (!st) return null;
    if (st.isSymbolicLink()) {
      if (++hops > 40) return null;
      const target = await readlink(here);
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    done.push(part);
  }
  return join(root, ...done);
}
