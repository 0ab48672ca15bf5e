// A HOMEBREW_CACHE folder checked before it goes onto a stick, since no Homebrew runs here to try it: every link
// stays inside the folder (Homebrew links `name--version…` to `downloads/<hash>--…`; a link out of it would dangle
// on the stick), every compressed download decompresses completely, every API JSON file parses.
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { runTool } from '../../run-tool.ts';

const testers: [RegExp, string, string[]][] = [
  [/\.(tar\.gz|tgz|gz)$/, 'gzip', ['-t']],
  [/\.(tar\.xz|xz)$/, 'xz', ['-t']],
  [/\.(tar\.bz2|bz2)$/, 'bzip2', ['-t']],
  [/\.zst$/, 'zstd', ['-t', '-q']],
];

/** The problems found (empty: the folder is whole), each naming the file and what is wrong with it. */
export async function brewCacheProblems(dir: string, signal?: AbortSignal): Promise<string[]> {
  const problems: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const e of await readdir(folder, { withFileTypes: true })) {
      const p = join(folder, e.name);
      const rel = relative(dir, p);
      if (e.isDirectory()) await walk(p);
      else if (e.isSymbolicLink()) {
        const target = resolve(dirname(p), await readlink(p));
        const inside = target.startsWith(dir + sep);
        if (!inside) problems.push(`${rel}: a link out of the cache folder (${await readlink(p)})`);
        else if (!(await lstat(target).catch(() => null))) problems.push(`${rel}: a link to a missing file (${await readlink(p)})`);
      } else if (e.isFile()) {
        const tester = testers.find(([re]) => re.test(e.name));
        if (tester) {
          const ok = await runTool(tester[1], [...tester[2], p], { signal }).then(() => true, () => false);
          if (!ok) problems.push(`${rel}: does not decompress (${tester[1]} -t fails): a truncated or damaged download`);
        } else if (e.name.endsWith('.json')) {
          try {
            JSON.parse(await readFile(p, 'utf8'));
          } catch {
            problems.push(`${rel}: not valid JSON`);
          }
        }
      }
    }
  };
  await walk(dir);
  return problems;
}
