#!/usr/bin/env node
// The `iios` command: runs the plain JavaScript bundle dist/cli/main.js. In a checkout whose sources are newer
// than the CLI or helper bundle, ensure-built.mjs rebuilds them first (and the renderer for `iios serve`), so
// `npx iios …` always runs the code as it is now; the check itself costs a few ms.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { BUNDLES, ensureBuilt, ensureRenderer } from '../../ensure-built.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
try {
  ensureBuilt(root, ['cli', 'helper']);
  if (process.argv[2] === 'serve' && !process.env.IIOS_RENDERER_DIR) ensureRenderer(root);
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
await import(pathToFileURL(join(root, BUNDLES.cli.outfile)).href);
