// The Debian bookworm bundle of the boot tests: mmdebstrap's tree cached under .cache/debian/ (like the demo OS),
// made into a bundle by `iios bundle create` and cached under .cache/debian-bundle/<version>. Built once; later
// runs reuse both. The figures of the run that made it (create time, whether the tree came from the cache, the
// tree's and the bundle's size) are kept in <version>.create.json beside it, so every run can print them.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBundleManifest } from '../../src-shared/profile/index.ts';
import { iios, REPO } from './iios-cli.ts';

export const DEBIAN_BUNDLE_VERSION = '2026.12.1';

export interface DebianBundleFigures {
  /** wall-clock seconds of `iios bundle create` */
  createSeconds: number;
  /** true when mmdebstrap's tree was already cached (create only copied, bundled and hashed it) */
  treeFromCache: boolean;
  treeBytes: number;
  bundleBytes: number;
}

export async function ensureDebianBundle(): Promise<{ dir: string; createLog: string; figures: DebianBundleFigures | null }> {
  const dir = join(REPO, '.cache', 'debian-bundle', DEBIAN_BUNDLE_VERSION);
  const figuresFile = `${dir}.create.json`;
  if (existsSync(join(dir, 'manifest.json'))) {
    const figures = await readFile(figuresFile, 'utf8').then((t) => JSON.parse(t) as DebianBundleFigures, () => null);
    return { dir, createLog: await readFile(`${dir}.create.log`, 'utf8').catch(() => ''), figures };
  }
  process.env.IIOS_DEBIAN_CACHE = join(REPO, '.cache', 'debian');
  const started = performance.now();
  const r = await iios(['bundle', 'create', '--from', 'debian:bookworm', '--name', 'debian-bookworm', '--version', DEBIAN_BUNDLE_VERSION, '--out', dir], {
    timeoutMs: 3_600_000,
  });
  const createSeconds = (performance.now() - started) / 1000;
  await writeFile(`${dir}.create.log`, `${r.stdout}\n${r.stderr}`);
  if (r.exitCode !== 0) throw new Error(`iios bundle create failed:\n${r.stdout}\n${r.stderr}`);
  const manifest = parseBundleManifest(await readFile(join(dir, 'manifest.json'), 'utf8'));
  const figures: DebianBundleFigures = {
    createSeconds,
    treeFromCache: /cached tree/.test(r.stderr),
    treeBytes: Number(manifest.build?.treeBytes),
    bundleBytes: Object.values(manifest.files).reduce((sum, f) => sum + f.sizeBytes, 0),
  };
  await writeFile(figuresFile, `${JSON.stringify(figures, null, 2)}\n`);
  return { dir, createLog: r.stdout, figures };
}
