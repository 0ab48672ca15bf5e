// `iios write --yes` as root: the helper is started here, before the CLI's bundle is even loaded, so that it
// loads (about 100 ms of a small machine's time) while the CLI loads and checks the request; the job service
// takes it (JobService.prelaunch) and sends it the job only once its checks passed. Nothing here needs a password
// (root), and no job goes out from here: the helper gets the socket's path only, and the service opens the
// socket in this private folder moments later (the helper waits for it, helpers/main.ts). A helper no job took
// is stopped, and its folder removed, when the CLI exits.
// Plain JavaScript on purpose: it runs before the bundle (iios.mjs).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the started helper waits for the job service (src-main/services/jobs/early-helper.ts takes it). */
export const EARLY_HELPER = Symbol.for('iios.earlyHelper');

/** What run-tool.ts's toolPath makes of PATH for a helper started through startTool (kept equal by a test). */
export function earlyToolPath(path) {
  const entries = (path ?? '').split(':').filter(Boolean);
  if (entries.length === 0) entries.push('/usr/local/bin', '/usr/bin', '/bin');
  for (const dir of ['/usr/local/sbin', '/usr/sbin', '/sbin']) if (!entries.includes(dir)) entries.push(dir);
  return entries.join(':');
}

/** Only for a write that asks no question (--yes) by root (no password), and not for its help. */
export function wantsEarlyHelper(argv, uid = process.getuid?.()) {
  return uid === 0 && argv[0] === 'write' && argv.some((a) => a === '--yes' || a === '-y') && !argv.some((a) => a === '--help' || a === '-h');
}

/** Starts `node <helperFile> --socket <new private folder>/helper.sock` as startHelper's direct route would. */
export function startEarlyHelper(root, helperFile) {
  const dir = mkdtempSync(join(tmpdir(), 'iios-job-'));
  // detached: its own process group, so a Ctrl-C meant for `iios write` does not kill it mid-step (elevation.ts)
  const child = spawn(process.execPath, [helperFile, '--socket', join(dir, 'helper.sock')], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PATH: earlyToolPath(process.env.PATH) },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d.toString()).slice(-65536)));
  const exited = new Promise((resolve) => {
    child.once('error', (e) => resolve({ code: null, signal: null, cancelled: false, message: e.message, stderr }));
    child.once('close', (code, signal) => resolve({ code, signal, cancelled: false, stderr }));
  });
  // Until a job service takes it, it keeps no CLI alive that ends early (a usage error).
  child.unref();
  child.stderr.unref();
  let taken = false;
  const early = {
    dir,
    helper: { exited, kill: () => void child.kill('SIGTERM'), pid: child.pid },
    /** Marks it taken (the service now stops it and removes its folder) and lets it hold the CLI until it exits. */
    take() {
      taken = true;
      child.ref();
      child.stderr.ref();
    },
  };
  process.once('exit', () => {
    if (taken) return;
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  globalThis[EARLY_HELPER] = early;
  return early;
}
