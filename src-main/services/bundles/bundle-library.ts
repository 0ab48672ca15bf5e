// The bundle library: the bundles `iios bundle create` keeps in ~/.local/share/iios/bundles/ (XDG_DATA_HOME),
// the demo OS when it has been built, and the bundles on plugged-in iios sticks: every mounted Btrfs that shows
// an iios stick's `@iios/bundles/` (the desktop mounts a stick's data partition when it is plugged in; iios only
// reads it). Listing reads manifests only; sizes are the manifest's.
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { runTool } from '../run-tool.ts';
import { defaultBundleDir, readBundleManifest } from '../sources/bundles.ts';

export function bundleLibraryDir(): string {
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'iios', 'bundles');
}

export interface LibraryBundle {
  dir: string;
  name: string;
  version: string;
  sizeBytes: number;
  /** what the bundle was made from (the manifest's build.source; the demo: its recipe folder), null when not recorded */
  source: string | null;
  /** the computer's library, the demo OS, or a plugged-in stick */
  where: 'library' | 'demo' | 'stick';
  /** for a stick: its partition and where it is mounted */
  stick: string | null;
}

async function describe(dir: string, fallbackSource: string | null, where: LibraryBundle['where'], stick: string | null = null): Promise<LibraryBundle | null> {
  const m = await readBundleManifest(dir).catch(() => null);
  if (!m) return null;
  const source = typeof m.build?.source === 'string' ? m.build.source : fallbackSource;
  const sizeBytes = Object.values(m.files).reduce((n, f) => n + f.sizeBytes, 0);
  return { dir, name: m.name, version: m.version, sizeBytes, source, where, stick };
}

const FindmntSchema = z.object({
  filesystems: z.array(z.object({ target: z.string(), source: z.string(), fsroot: z.string().nullable().optional() })),
});

export interface StickBundles {
  /** the partition, e.g. /dev/sdb3 */
  device: string;
  mountPoint: string;
  /** the stick's @iios/bundles/ as mounted here */
  bundlesDir: string;
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isDirectory() === true;
}

/** Where the mounted iios sticks show their @iios/bundles/ (a stick mounted twice is listed once). */
export async function mountedStickBundles(): Promise<StickBundles[]> {
  const r = await runTool('findmnt', ['-J', '-l', '-t', 'btrfs', '-o', 'TARGET,SOURCE,FSROOT'], { okExitCodes: [0, 1] }).catch(() => null);
  if (!r || !r.stdout.trim()) return [];
  const parsed = FindmntSchema.safeParse(JSON.parse(r.stdout));
  if (!parsed.success) return [];
  const found = new Map<string, StickBundles>();
  for (const fs of parsed.data.filesystems) {
    const device = fs.source.replace(/\[.*\]$/, '');
    const fsroot = fs.fsroot ?? '/';
    const bundlesDir = fsroot === '/' ? join(fs.target, '@iios', 'bundles') : fsroot === '/@iios' ? join(fs.target, 'bundles') : null;
    if (!bundlesDir || found.has(device) || !(await isDir(bundlesDir))) continue;
    found.set(device, { device, mountPoint: fs.target, bundlesDir });
  }
  return [...found.values()];
}

async function bundlesIn(dir: string, where: LibraryBundle['where'], stick: string | null): Promise<LibraryBundle[]> {
  const found: LibraryBundle[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true }).catch(() => [])).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const b = await describe(join(dir, entry.name), null, where, stick);
    if (b) found.push(b);
  }
  return found;
}

export interface ListLibraryOptions {
  libraryDir?: string;
  /** false: leave out plugged-in sticks */
  sticks?: boolean;
}

export async function listLibrary(opts: ListLibraryOptions = {}): Promise<LibraryBundle[]> {
  const found = await bundlesIn(opts.libraryDir ?? bundleLibraryDir(), 'library', null);
  const demo = defaultBundleDir();
  if (demo) {
    const b = await describe(demo, 'resources/demo-os', 'demo');
    if (b) found.push(b);
  }
  if (opts.sticks !== false) {
    for (const s of await mountedStickBundles()) found.push(...(await bundlesIn(s.bundlesDir, 'stick', `${s.device} at ${s.mountPoint}`)));
  }
  return found;
}
