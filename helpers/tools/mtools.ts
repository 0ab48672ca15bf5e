// mtools on a FAT filesystem inside a disk or image at a byte offset (`img@@offset`): vfat does not mount here,
// and mtools needs neither a mount nor a loop device.
import { run, runBuffer, type RunOptions } from './run.ts';

const env = { MTOOLS_SKIP_CHECK: '1', MTOOLS_NO_VFAT: '0' };

export interface FatVolume {
  /** The disk or image holding the FAT filesystem. */
  disk: string;
  /** Byte offset of the filesystem in it. */
  offset: number;
}

const img = (v: FatVolume) => `${v.disk}@@${v.offset}`;

/** Creates directories (parents first); existing ones are fine. */
export async function fatMkdirs(v: FatVolume, dirs: readonly string[], opts: RunOptions = {}): Promise<void> {
  const all = new Set<string>();
  for (const d of dirs) {
    const parts = d.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) all.add(`/${parts.slice(0, i).join('/')}`);
  }
  const existing = await fatList(v, opts);
  const missing = [...all].filter((d) => !existing.has(d)).sort((a, b) => a.split('/').length - b.split('/').length);
  if (missing.length) await run('mmd', ['-i', img(v), ...missing.map((d) => `::${d}`)], { ...opts, env });
}

/** Copies a local file onto the FAT filesystem, overwriting. */
export async function fatCopyIn(v: FatVolume, localPath: string, fatPath: string, opts: RunOptions = {}): Promise<void> {
  await run('mcopy', ['-o', '-i', img(v), localPath, `::${fatPath}`], { ...opts, env });
}

/** Reads a file off the FAT filesystem. */
export async function fatRead(v: FatVolume, fatPath: string, opts: RunOptions = {}): Promise<Buffer> {
  const { stdout } = await runBuffer('mcopy', ['-n', '-i', img(v), `::${fatPath}`, '-'], { ...opts, env });
  return stdout;
}

/** Every path (files and directories) on the filesystem, as absolute paths. */
export async function fatList(v: FatVolume, opts: RunOptions = {}): Promise<Set<string>> {
  const { stdout } = await run('mdir', ['-/', '-b', '-i', img(v), '::/'], { ...opts, env, okExitCodes: [0, 1] });
  const out = new Set<string>();
  for (const line of stdout.split('\n')) {
    const p = line.trim();
    if (p.startsWith('::/')) out.add(p.slice(2).replace(/\/$/, ''));
  }
  return out;
}
