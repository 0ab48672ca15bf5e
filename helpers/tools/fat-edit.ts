// Changes to single files on a FAT filesystem at a byte offset (mtools, as mtools.ts): delete, list a folder,
// and replace a file through a rename, so a reader finds the old file or the new one, never a half-written one.
import { run, type RunOptions } from './run.ts';
import { fatCopyIn, type FatVolume } from './mtools.ts';

const env = { MTOOLS_SKIP_CHECK: '1', MTOOLS_NO_VFAT: '0' };
const img = (v: FatVolume) => `${v.disk}@@${v.offset}`;

/** File names (no folders) in one folder. */
export async function fatFiles(v: FatVolume, dir: string, opts: RunOptions = {}): Promise<string[]> {
  const { stdout } = await run('mdir', ['-b', '-i', img(v), `::${dir}`], { ...opts, env, okExitCodes: [0, 1] });
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('::') && !l.endsWith('/'))
    .map((l) => l.slice(l.lastIndexOf('/') + 1));
}

export async function fatDelete(v: FatVolume, paths: string[], opts: RunOptions = {}): Promise<void> {
  if (paths.length) await run('mdel', ['-i', img(v), ...paths.map((p) => `::${p}`)], { ...opts, env });
}

/** Renames (replacing the target if there is one). */
export async function fatRename(v: FatVolume, from: string, to: string, opts: RunOptions = {}): Promise<void> {
  await run('mmove', ['-D', 'o', '-i', img(v), `::${from}`, `::${to}`], { ...opts, env });
}

/** Writes `local` beside `fatPath` as `<fatPath>.new`, then renames it over `fatPath`. */
export async function fatReplace(v: FatVolume, local: string, fatPath: string, opts: RunOptions = {}): Promise<void> {
  const tmp = `${fatPath}.new`;
  await fatCopyIn(v, local, tmp, opts);
  await fatRename(v, tmp, fatPath, opts);
}
