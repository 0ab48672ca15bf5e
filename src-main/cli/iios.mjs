#!/usr/bin/env node
// The `iios` command. From a clone it runs the TypeScript sources through tsx; a packaged build
// ships dist/cli/main.js instead and this file uses it when the sources are absent.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const built = join(here, '..', '..', 'dist', 'cli', 'main.js');
// In a clone the sources win: a bundle left by an earlier `npm run build` must never shadow newer code.
// IIOS_FROM_BUILD=1 runs the bundle anyway (to test it).
const useBuilt = existsSync(built) && (process.env.IIOS_FROM_BUILD === '1' || !existsSync(join(here, 'main.ts')));
if (useBuilt && !process.env.IIOS_FROM_SOURCE) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(here, 'main.ts')).href);
}
