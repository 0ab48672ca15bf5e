// The bundle library: the bundles `iios bundle create` keeps in ~/.local/share/iios/bundles/ (XDG_DATA_HOME),
// and the demo OS when it has been built. Listing reads manifests only; sizes are the manifest's.
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultBundleDir, readBundleManifest } from '../sources/bundles.ts';

export function bundleLibraryDir(): string {
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'iios', 'bundles');
}

export interface LibraryBundle {
  dir: string;
  name: string;
  version: string;
  sizeBytes: number;
  source: string;
}

async function describe(dir: string, fallbackSource: string): Promise<LibraryBundle | null> {
  const m = await readBundleManifest(dir).catch(() => null);
  if (!m) return null;
  const source = typeof m.build?.source === 'string' ? m.build.source : fallbackSource;
  const sizeBytes = Object.values(m.files).reduce((n, f) => n + f.sizeBytes, 0);
  return { dir, name: m.name, version: m.version, sizeBytes, source };
}

export async function listLibrary(libraryDir = bundleLibraryDir()): Promise<LibraryBundle[]> {
  const found: LibraryBundle[] = [];
  for (const entry of (await readdir(libraryDir, { withFileTypes: true }).catch(() => [])).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const b = await describe(join(libraryDir, entry.name), 'unknown');
    if (b) found.push(b);
  }
  const demo = defaultBundleDir();
  if (demo) {
    const b = await describe(demo, 'demo OS (resources/demo-os)');
    if (b) found.push(b);
  }
  return found;
}
