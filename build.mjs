// Bundles the Node side of iios with esbuild (the renderer is built by `vite build`):
//   src-main/app/main.ts    -> dist/main/main.cjs     (Electron main, package.json "main")
//   src-main/app/preload.ts -> dist/main/preload.cjs  (sandboxed preload: electron is its only require)
//   helpers/main.ts         -> dist/helper/main.js    (the privileged helper, ESM, run by node; the code of each
//                                                     kind of job in dist/helper/chunks/, imported when needed)
//   src-main/cli/main.ts    -> dist/cli/main.cjs      (the `iios` command, CommonJS: see bundleOptions)
// `node build.mjs` builds all four; `node build.mjs cli helper` only those (ensure-built.mjs does that when a
// checkout's sources are newer than its bundles). Beside each bundle goes `<bundle>.inputs.json`, the files it
// was built from, and each file is written under a temporary name and renamed into place, so a process starting
// at the same time sees the old bundle or the new one, never half of one.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLES, inputsFileOf } from './ensure-built.mjs';

const root = dirname(fileURLToPath(import.meta.url));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  legalComments: 'none',
  absWorkingDir: root,
};

// drivelist is a native addon; ws tries optional native speedups. They stay real requires.
const nodeExternals = ['drivelist', 'bufferutil', 'utf-8-validate'];

// ESM bundles that contain CommonJS dependencies need a real `require`.
const esmBanner = {
  js: "import { createRequire as __iiosCreateRequire } from 'node:module'; const require = __iiosCreateRequire(import.meta.url);",
};

// CommonJS bundles have no import.meta: give sources that use import.meta.url (app-info.ts) the file's URL.
// Sources must use nothing else of import.meta (import.meta.resolve would be undefined in the bundle).
const cjsImportMeta = {
  define: { 'import.meta.url': '__iiosImportMetaUrl' },
  banner: { js: "const __iiosImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
};

/** esbuild options of each bundle (besides entry and outfile, from BUNDLES); exported for the tests. */
export const bundleOptions = {
  main: { format: 'cjs', external: ['electron', ...nodeExternals], ...cjsImportMeta },
  preload: { format: 'cjs', external: ['electron'] },
  // Split: the job runners are imported by kind (helpers/main.ts, run-job.ts), so a raw write compiles a fraction
  // of the helper (no Btrfs, ESP, verity or cache code) at every start.
  helper: { format: 'esm', external: nodeExternals, banner: esmBanner, splitting: true, chunkNames: 'chunks/[name]-[hash]' },
  // CommonJS, so a package or Node module is required where the module using it first runs: the commands load
  // lazily (src-main/cli/main.ts), and `iios --version` then loads neither drivelist nor http, tls… (in an ESM
  // bundle every import is hoisted to the top and loaded at start).
  cli: { format: 'cjs', external: nodeExternals, ...cjsImportMeta },
};

/** Builds `extra` (entry and outfile) with the options of bundle `name`: how a test bundles a small entry as main.cjs is. */
export function buildLike(name, extra) {
  return build({ ...common, ...bundleOptions[name], ...extra });
}

/** Where a bundle's files go: one file, or (split bundles) the entry in its folder with its chunks beside it. */
function outputOptions(name, outfile) {
  if (!bundleOptions[name].splitting) return { outfile };
  return { outdir: dirname(outfile), entryNames: basename(outfile).replace(/\.[cm]?js$/, '') };
}

/** A split bundle's chunks a build no longer made, once older than a day (a helper started a while ago may still import one). */
function removeOldChunks(outfile, made) {
  const dir = join(dirname(outfile), 'chunks');
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const path = join(dir, n);
    if (made.has(path)) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > 24 * 3600_000) rmSync(path, { force: true });
    } catch {
      /* removed meanwhile */
    }
  }
}

/** Writes `path` atomically (temporary name + rename), stamped with the build's start time. */
function writeAtomically(path, contents, stamp) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  utimesSync(tmp, stamp, stamp);
  renameSync(tmp, path);
}

async function buildOne(name) {
  const { entry, outfile } = BUNDLES[name];
  if (!existsSync(`${root}/${entry}`)) {
    console.log(`build: skipping ${outfile}: ${entry} does not exist yet`);
    return true;
  }
  // A source saved while esbuild reads it is then newer than the bundle, so the next start rebuilds.
  const started = new Date();
  try {
    const result = await build({ ...common, ...bundleOptions[name], entryPoints: [entry], ...outputOptions(name, outfile), write: false, metafile: true });
    const inputs = Object.keys(result.metafile.inputs).map((p) => relative(root, `${root}/${p}`));
    // The inputs list first: a bundle newer than an old list is judged against the old inputs, never wrongly fresh.
    writeAtomically(`${root}/${inputsFileOf(outfile)}`, JSON.stringify({ entry, inputs }) + '\n', started);
    // The entry (and its map) last: a process starting meanwhile runs the old entry with the old chunks, or the new one with the new.
    const entryFirst = (f) => (f.path === `${root}/${outfile}` || f.path === `${root}/${outfile}.map` ? 1 : 0);
    const files = [...result.outputFiles].sort((a, b) => entryFirst(a) - entryFirst(b));
    for (const file of files) writeAtomically(file.path, file.contents, started);
    if (bundleOptions[name].splitting) removeOldChunks(`${root}/${outfile}`, new Set(files.map((f) => f.path)));
    console.log(`build: ${entry} -> ${outfile}`);
    return true;
  } catch {
    return false; // esbuild already printed the errors
  }
}

// Run as a script (not when imported by a test for bundleOptions).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((n) => !(n in BUNDLES));
  if (unknown.length) {
    console.error(`build: unknown bundle ${unknown.join(', ')} (known: ${Object.keys(BUNDLES).join(', ')})`);
    process.exit(2);
  }
  const names = asked.length ? asked : Object.keys(BUNDLES);
  const ok = await Promise.all(names.map(buildOne));
  process.exitCode = ok.every(Boolean) ? 0 : 1;
}
