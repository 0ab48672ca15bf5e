#!/usr/bin/env node
// The `iios` command: runs the plain JavaScript bundle dist/cli/main.cjs. In a checkout whose sources are newer
// than the CLI or helper bundle, ensure-built.mjs rebuilds them first, so `npx iios …` always runs the code as
// it is now; the check itself costs a few ms. (`iios serve` builds the renderer the same way, in serve.ts.)
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { BUNDLES, ensureBuilt } from '../../ensure-built.mjs';
import { startEarlyHelper, wantsEarlyHelper } from './early-helper.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
try {
  ensureBuilt(root, ['cli', 'helper']);
} catch (err) {
  process.stderr.write(`iios: ${err.message}\n`);
  process.exit(1);
}
// As root, `iios write --yes` has its helper start now, while the bundle loads and the request is checked.
if (wantsEarlyHelper(process.argv.slice(2))) startEarlyHelper(root, join(root, BUNDLES.helper.outfile));
// require, not import(): importing CommonJS from ESM first scans the whole bundle for its export names.
createRequire(import.meta.url)(join(root, BUNDLES.cli.outfile));
