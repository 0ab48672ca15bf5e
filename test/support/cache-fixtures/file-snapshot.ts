// The regular files under a folder with their identity (inode, size, mtime): two snapshots around a rebuild
// show which files it wrote and that it left every earlier one alone.
import { lstat, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

export type FileSnapshot = Map<string, string>;

export async function snapshotFiles(root: string): Promise<FileSnapshot> {
  const out: FileSnapshot = new Map();
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const s = await lstat(p);
        out.set(relative(root, p), `${s.ino}:${s.size}:${s.mtimeMs}`);
      }
    }
  };
  await walk(root);
  return out;
}

/** Files added since `before`, and files of `before` that changed or went away (under `only`, a path prefix). */
export function snapshotDiff(before: FileSnapshot, after: FileSnapshot, only = ''): { added: string[]; touched: string[] } {
  const added = [...after.keys()].filter((p) => p.startsWith(only) && !before.has(p));
  const touched = [...before.keys()].filter((p) => p.startsWith(only) && after.get(p) !== before.get(p));
  return { added, touched };
}
