// Bundles the Node side of iios with esbuild (the renderer is built by `vite build`):
//   src-main/app/main.ts    -> dist/main/main.cjs     (Electron main, package.json "main")
//   src-main/app/preload.ts -> dist/main/preload.cjs  (sandboxed preload: electron is its only require)
//   helpers/main.ts         -> dist/helper/main.js    (the privileged helper, ESM, run by node)
//   src-main/cli/main.ts    -> dist/cli/main.js       (the `iios` command, ESM)
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
};

// drivelist is a native addon; ws tries optional native speedups. They stay real requires.
const nodeExternals = ['drivelist', 'bufferutil', 'utf-8-validate'];

// ESM bundles that contain CommonJS dependencies need a real `require`.
const esmBanner = {
  js: "import { createRequire as __iiosCreateRequire } from 'node:module'; const require = __iiosCreateRequire(import.meta.url);",
};

// CommonJS bundles have no import.meta: give sources that use import.meta.url (app-info.ts) the file's URL.
const cjsImportMeta = {
  define: { 'import.meta.url': '__iiosImportMetaUrl' },
  banner: { js: "const __iiosImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

const targets = [
  { entry: 'src-main/app/main.ts', outfile: 'dist/main/main.cjs', format: 'cjs', external: ['electron', ...nodeExternals], ...cjsImportMeta },
  { entry: 'src-main/app/preload.ts', outfile: 'dist/main/preload.cjs', format: 'cjs', external: ['electron'] },
  { entry: 'helpers/main.ts', outfile: 'dist/helper/main.js', format: 'esm', external: nodeExternals, banner: esmBanner },
  { entry: 'src-main/cli/main.ts', outfile: 'dist/cli/main.js', format: 'esm', external: nodeExternals, banner: esmBanner },
];

let failed = false;
for (const { entry, outfile, ...options } of targets) {
  if (!existsSync(entry)) {
    console.log(`build: skipping ${outfile}: ${entry} does not exist yet`);
    continue;
  }
  await rm(outfile, { force: true });
  try {
    await build({ ...common, ...options, entryPoints: [entry], outfile });
    console.log(`build: ${entry} -> ${outfile}`);
  } catch {
    failed = true; // esbuild already printed the errors
  }
}
process.exitCode = failed ? 1 : 0;
