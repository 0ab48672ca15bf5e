// Keeps a checkout's bundles as new as its sources, so `npx iios`, the helper and the tests run plain JavaScript
// (no transpiling at run time) and the developer flow stays one command.
//
// build.mjs saves beside each bundle `<bundle>.inputs.json`, the files esbuild read for it (its metafile's
// inputs), and stamps the bundle with the time its build started. A bundle is stale when it, or that list, is
// missing, or when any file on the list (or build.mjs, or this file) is newer than the bundle. Packages under
// node_modules are not stat'ed one by one (hundreds of files): npm rewrites node_modules/.package-lock.json
// whenever it installs anything, so that one file stands for them. A few ms of stat calls in all. A stale bundle is rebuilt by `node build.mjs <names>` under a lock (a directory made with mkdir,
// which only one process can make), and build.mjs writes every file under a temporary name and renames it into
// place, so concurrent first runs never see, or leave, half a bundle.
//
// A packaged app has no build.mjs and no sources: its bundles are used as they are.
// Plain JavaScript with no dependencies on purpose: it runs before anything could be transpiled.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Node-side bundles build.mjs makes: name -> entry source and output, relative to the app root. */
export const BUNDLES = {
  main: { entry: 'src-main/app/main.ts', outfile: 'dist/main/main.cjs' },
  preload: { entry: 'src-main/app/preload.ts', outfile: 'dist/main/preload.cjs' },
  helper: { entry: 'helpers/main.ts', outfile: 'dist/helper/main.js' },
  cli: { entry: 'src-main/cli/main.ts', outfile: 'dist/cli/main.cjs' },
};

/** Files whose change makes every bundle stale, beside the inputs esbuild reports. */
const BUILD_FILES = ['build.mjs', 'ensure-built.mjs', 'package-lock.json', 'node_modules/.package-lock.json'];
const IN_PACKAGE = /(^|\/)node_modules\//;

export const inputsFileOf = (outfile) => `${outfile}.inputs.json`;

/** A checkout can rebuild itself; a packaged app (no build.mjs, no sources) cannot and need not. */
export function isCheckout(root) {
  return existsSync(join(root, 'build.mjs')) && existsSync(join(root, 'node_modules', 'esbuild'));
}

function mtimeOrNull(path, seen) {
  if (seen?.has(path)) return seen.get(path);
  try {
    const t = statSync(path).mtimeMs;
    seen?.set(path, t);
    return t;
  } catch {
    return null;
  }
}

/**
 * Why the bundle `name` must be rebuilt, or null when it is at least as new as every file it was built from.
 * `seen` caches input times across the bundles of one check (the CLI and the helper share most inputs).
 */
export function staleReason(root, name, seen = new Map()) {
  const { outfile } = BUNDLES[name];
  const built = mtimeOrNull(join(root, outfile));
  if (built === null) return `${outfile} does not exist`;
  let inputs;
  try {
    inputs = JSON.parse(readFileSync(join(root, inputsFileOf(outfile)), 'utf8')).inputs;
  } catch {
    return `${inputsFileOf(outfile)} is missing or unreadable`;
  }
  if (!Array.isArray(inputs) || inputs.length === 0) return `${inputsFileOf(outfile)} lists no inputs`;
  for (const input of BUILD_FILES) {
    if ((mtimeOrNull(`${root}/${input}`, seen) ?? 0) > built) return `${input} is newer than ${outfile}`;
  }
  for (const input of inputs) {
    if (IN_PACKAGE.test(input)) continue; // stood for by node_modules/.package-lock.json
    const t = mtimeOrNull(`${root}/${input}`, seen);
    if (t === null) return `${input} (an input of ${outfile}) is gone`;
    if (t > built) return `${input} is newer than ${outfile}`;
  }
  return null;
}

const LOCK_DIR = join('dist', '.build-lock');
const LOCK_STALE_MS = 10 * 60_000;
const sleepMs = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Runs `fn` holding the checkout's build lock; waits for another process's build to finish first. */
export function withBuildLock(root, fn, { timeoutMs = 10 * 60_000 } = {}) {
  const lock = join(root, LOCK_DIR);
  mkdirSync(join(root, 'dist'), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    // A lock whose owner died (killed mid-build) or that is very old is taken over.
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    } catch {
      /* the owner has not written its pid yet, or just released the lock */
    }
    const age = Date.now() - (mtimeOrNull(lock) ?? Date.now());
    if ((Number.isInteger(owner) && owner > 0 && !alive(owner)) || age > LOCK_STALE_MS) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`another build still holds ${lock}; remove it if no build is running`);
    sleepMs(50);
  }
  try {
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The plain Node binary to run build tools with (under Electron, its own binary acting as Node). */
function nodeEnv() {
  return { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
}

function run(root, args, what) {
  try {
    execFileSync(process.execPath, args, { cwd: root, env: nodeEnv(), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (err) {
    const output = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim();
    throw new Error(`could not build ${what}${output ? `:\n${output}` : `: ${err.message}`}`);
  }
}

/**
 * Makes sure the bundles `names` exist and, in a checkout, are not older than their sources; rebuilds the stale
 * ones (once, whoever else is starting at the same time). Returns the names rebuilt. Throws when a bundle is
 * missing and cannot be built.
 */
export function ensureBuilt(root, names = ['cli', 'helper']) {
  if (!isCheckout(root)) {
    const missing = names.map((n) => BUNDLES[n].outfile).filter((f) => !existsSync(join(root, f)));
    if (missing.length) throw new Error(`${missing.join(', ')} missing and this installation has no sources to build it from`);
    return [];
  }
  const seen = new Map();
  if (names.every((n) => staleReason(root, n, seen) === null)) return [];
  return withBuildLock(root, () => {
    const stale = names.filter((n) => staleReason(root, n) !== null); // someone may have built them meanwhile
    if (stale.length) run(root, [join(root, 'build.mjs'), ...stale], stale.map((n) => BUNDLES[n].outfile).join(', '));
    return stale;
  });
}

// ---- the renderer (vite build), needed by `iios serve` ----

const RENDERER_INDEX = join('dist', 'renderer', 'index.html');
const RENDERER_SOURCES = ['src-renderer', 'src-shared'];
const RENDERER_FILES = ['vite.config.ts', 'package.json', join('node_modules', '.package-lock.json')];

function newestUnder(dir) {
  let newest = mtimeOrNull(dir) ?? 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return newest;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestUnder(path) : (mtimeOrNull(path) ?? 0));
  }
  return newest;
}

/** Why dist/renderer must be rebuilt, or null. Vite reports no inputs, so every file it can read counts. */
export function rendererStaleReason(root) {
  const built = mtimeOrNull(join(root, RENDERER_INDEX));
  if (built === null) return `${RENDERER_INDEX} does not exist`;
  for (const dir of RENDERER_SOURCES) if (newestUnder(join(root, dir)) > built) return `${dir}/ has files newer than the renderer build`;
  for (const file of RENDERER_FILES) if ((mtimeOrNull(join(root, file)) ?? 0) > built) return `${file} is newer than the renderer build`;
  return null;
}

/** Makes sure dist/renderer is built and, in a checkout, not older than its sources (`vite build` when not). */
export function ensureRenderer(root) {
  if (!existsSync(join(root, 'src-renderer'))) {
    if (existsSync(join(root, RENDERER_INDEX))) return false;
    throw new Error(`${RENDERER_INDEX} is missing and this installation has no sources to build it from`);
  }
  if (rendererStaleReason(root) === null) return false;
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) throw new Error('the GUI is not built and Vite is not installed to build it: run `npm ci`, then `npm run build`');
  return withBuildLock(root, () => {
    if (rendererStaleReason(root) === null) return false;
    const started = new Date();
    run(root, [vite, 'build', '--logLevel', 'warn'], 'the renderer (vite build)');
    // Stamped with the build's start: a source saved while Vite ran is newer, so the next start rebuilds.
    utimesSync(join(root, RENDERER_INDEX), started, started);
    return true;
  });
}
