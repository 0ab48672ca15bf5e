#!/usr/bin/env node
// The `iios` command. From a clone it runs the TypeScript sources through tsx; a packaged build
// ships dist/cli/main.js instead and this file prefers it when present.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const built = join(here, '..', '..', 'dist', 'cli', 'main.js');
if (existsSync(built) && !process.env.IIOS_FROM_SOURCE) {
  await import(pathToFileURL(built).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(join(here, 'main.ts')).href);
}
