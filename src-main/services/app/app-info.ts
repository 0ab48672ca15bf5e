// Facts about this installation of iios: version and where its resources live.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository or packaged-app root (the folder holding package.json and resources/). */
export function appRoot(): string {
  if (process.env.IIOS_ROOT) return process.env.IIOS_ROOT;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'iios') return dir;
    } catch {
      // not here; go up
    }
    dir = dirname(dir);
  }
  throw new Error('iios: cannot find the application root (package.json)');
}

export function appVersion(): string {
  const pkg = JSON.parse(readFileSync(join(appRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function resourcesDir(): string {
  return join(appRoot(), 'resources');
}
