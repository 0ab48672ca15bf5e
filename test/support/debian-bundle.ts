// The Debian bookworm bundle of the boot tests: mmdebstrap's tree cached under .cache/debian/ (like the demo OS),
// made into a bundle by `iios bundle create` and cached under .cache/debian-bundle/<version>. Built once; later
// runs reuse both. The create time and sizes of the run that made it are kept in create.json beside it.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { iios, REPO } from './iios-cli.ts';

export const DEBIAN_BUNDLE_VERSION = '2026.12.1';

export async function ensureDebianBundle(): Promise<{ dir: string; createLog: string }> {
  const dir = join(REPO, '.cache', 'debian-bundle', DEBIAN_BUNDLE_VERSION);
  if (existsSync(join(dir, 'manifest.json'))) return { dir, createLog: await readFile(`${dir}.create.log`, 'utf8').catch(() => '') };
  process.env.IIOS_DEBIAN_CACHE = join(REPO, '.cache', 'debian');
  const r = await iios(['bundle', 'create', '--from', 'debian:bookworm', '--name', 'debian-bookworm', '--version', DEBIAN_BUNDLE_VERSION, '--out', dir], {
    timeoutMs: 3_600_000,
  });
  await writeFile(`${dir}.create.log`, r.stdout + r.stderr);
  if (r.exitCode !== 0) throw new Error(`iios bundle create failed:\n${r.stdout}\n${r.stderr}`);
  return { dir, createLog: r.stdout };
}
