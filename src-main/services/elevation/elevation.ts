// Starts the privileged helper: directly when iios already runs as root; otherwise through pkexec on the installed
// helper wrapper when the polkit action is installed (polkit-route.ts), else through sudo-prompt. Only the socket path travels on the command line; the job
// and the progress go over the private socket (design.md, "The privileged helper").
import { startTool } from '../run-tool.ts';
import sudo from 'sudo-prompt';
import { join } from 'node:path';
import { BUNDLES, ensureBuilt } from '../../../ensure-built.mjs';
import { appRoot } from '../app/app-info.ts';
import { findPolkitRoute, type PolkitRoute } from './polkit-route.ts';
import { classifyElevationExit } from './elevation-failure.ts';
import { withTerminalSudo, type TerminalSudo } from './terminal-sudo.ts';
import type { HelperCommand, HelperExit, HelperProcess } from './helper-process.ts';
import { assertHelperTrusted, developerSetupNotice, helperSetup, type HelperSetup } from './helper-trust.ts';

export type { HelperCommand, HelperExit, HelperProcess } from './helper-process.ts';

/** The subset of sudo-prompt's exec that we use (its callback fires once, when the command ends). */
export type SudoExec = (
  command: string,
  options: { name: string; env?: Record<string, string> },
  callback: (error?: Error, stdout?: string | Buffer, stderr?: string | Buffer) => void,
) => void;

/** A started child as execa returns it (a promise with kill and pid); its result is not rejected. */
export interface DirectChild extends PromiseLike<{ exitCode?: number; signal?: string; stderr?: unknown; isCanceled?: boolean; message?: string }> {
  kill(signal?: NodeJS.Signals): boolean;
  pid?: number;
}
export type DirectSpawn = (file: string, args: string[], options: { cwd: string; env?: Record<string, string> }) => DirectChild;

export interface ElevationDeps {
  isRoot: () => boolean;
  sudoExec: SudoExec;
  spawnDirect: DirectSpawn;
  /** The installed pkexec route to the helper, when there is one (a deb/rpm install). */
  polkit?: PolkitRoute | null;
  /** The CLI: fall back to sudo in its terminal (or `sudo -n` without one) when polkit cannot prompt. */
  terminalSudo?: TerminalSudo;
  /**
   * Where the helper's code comes from (helper-trust.ts): an installed iios's files are checked before any
   * prompt and a helper others could change is refused; a developer setup is named in the prompt instead.
   */
  setup?: HelperSetup;
}

/** pkexec's exit codes: the user dismissed the prompt; not authorised (or authentication failed). */
export const PKEXEC_DISMISSED = 126;
export const PKEXEC_NOT_AUTHORIZED = 127;

/** sudo-prompt's message when the user dismissed or failed the prompt. */
export const PERMISSION_DENIED = 'User did not grant permission.';

/**
 * The helper's command line: `<node> <root>/dist/helper/main.js`, plain JavaScript (no transpiling per job). In
 * a checkout whose helper sources are newer than that bundle it is rebuilt first (ensure-built.mjs: a few ms
 * when nothing changed), so a clone runs the code as it is now; a packaged build (no sources) runs its bundle.
 * Under Electron its binary runs the helper as plain Node (ELECTRON_RUN_AS_NODE).
 */
export function helperCommand(opts: { root: string; execPath?: string }): HelperCommand {
  const execPath = opts.execPath ?? process.execPath;
  const env: Record<string, string> = process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {};
  ensureBuilt(opts.root, ['helper']);
  return { file: execPath, args: [join(opts.root, BUNDLES.helper.outfile)], cwd: opts.root, env };
}

const SAFE_ARG = /^[A-Za-z0-9_./:@%+=,-]+$/;

/** One argument for sudo-prompt's `bash -c "…"` line; anything beyond a plain path or token is refused. */
export function quoteForSudo(arg: string): string {
  if (!SAFE_ARG.test(arg)) throw new Error(`iios: refusing to pass an unusual character to the elevated helper: ${JSON.stringify(arg)}`);
  return `'${arg}'`;
}

function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

/** Starts `cmd` with `extraArgs` (--socket, --token) as root. */
export function startHelper(cmd: HelperCommand, extraArgs: string[], deps: ElevationDeps): HelperProcess {
  const args = [...cmd.args, ...extraArgs];
  if (deps.isRoot()) {
    const child = deps.spawnDirect(cmd.file, args, { cwd: cmd.cwd, env: cmd.env });
    const exited = Promise.resolve(child).then(
      (r): HelperExit => ({ code: r.exitCode ?? null, signal: r.signal ?? null, cancelled: false, stderr: text(r.stderr) }),
      (e: Error & { exitCode?: number; signal?: string; stderr?: unknown }): HelperExit => ({
        code: e.exitCode ?? null,
        signal: e.signal ?? null,
        cancelled: false,
        message: e.message,
        stderr: text(e.stderr),
      }),
    );
    return { exited, kill: () => void child.kill('SIGTERM'), pid: child.pid };
  }
  // Before any prompt: root's rights are never given to code that someone else could have changed.
  if (deps.setup) assertHelperTrusted(cmd, deps.setup);
  const developer = deps.setup?.kind === 'developer';
  const viaPolkit = () => startThroughPolkit(cmd, args, extraArgs, deps, developer ? 'iios developer setup' : 'iios');
  const prompt = developer ? `iios is ${developerSetupNotice(deps.setup!.root).replace(/%/g, '%%')}.\n[sudo] password for %u: ` : undefined;
  return deps.terminalSudo ? withTerminalSudo(viaPolkit, cmd, args, { ...deps.terminalSudo, ...(prompt ? { prompt } : {}) }) : viaPolkit();
}

function startThroughPolkit(cmd: HelperCommand, args: string[], extraArgs: string[], deps: ElevationDeps, name: string): HelperProcess {
  if (deps.polkit) return startThroughPkexec(deps.polkit, extraArgs, deps);
  const line = ['cd', quoteForSudo(cmd.cwd), '&&', 'exec', ...[cmd.file, ...args].map(quoteForSudo)].join(' ');
  const exited = new Promise<HelperExit>((resolve) => {
    deps.sudoExec(line, { name, ...(cmd.env && Object.keys(cmd.env).length ? { env: cmd.env } : {}) }, (error, _stdout, stderr) => {
      if (!error) return resolve({ code: 0, signal: null, cancelled: false, stderr: text(stderr) });
      const raw = (error as Error & { code?: unknown }).code;
      const code = typeof raw === 'number' ? raw : null;
      const elevation = classifyElevationExit({ tool: 'sudo-prompt', code, message: error.message, stderr: text(stderr) }) ?? undefined;
      const refused = elevation?.reason === 'dismissed';
      resolve({ code, signal: null, cancelled: refused, message: elevation?.message ?? error.message, stderr: text(stderr), elevation });
    });
  });
  // An elevated helper cannot be signalled from here; closing the socket makes it cancel and exit.
  return { exited, kill: () => undefined };
}

/**
 * `pkexec <wrapper> --socket … --token …`: the wrapper is a fixed, root-owned file of the install, so only the
 * socket and token come from here; pkexec shows iios's own action and sets PKEXEC_UID for the helper.
 */
function startThroughPkexec(route: PolkitRoute, extraArgs: string[], deps: ElevationDeps): HelperProcess {
  const child = deps.spawnDirect(route.pkexec, [route.wrapper, ...extraArgs], { cwd: '/' });
  const exited = Promise.resolve(child).then(
    (r): HelperExit => {
      const code = r.exitCode ?? null;
      const stderr = text(r.stderr);
      const elevation = classifyElevationExit({ tool: 'pkexec', code, message: r.message, stderr }) ?? undefined;
      if (!elevation) return { code, signal: r.signal ?? null, cancelled: false, stderr };
      return { code, signal: null, cancelled: elevation.reason === 'dismissed', message: elevation.message, stderr, elevation };
    },
    (e: Error): HelperExit => ({
      code: null,
      signal: null,
      cancelled: false,
      message: e.message,
      stderr: '',
      elevation: classifyElevationExit({ tool: 'pkexec', code: null, message: e.message, stderr: '' }) ?? undefined,
    }),
  );
  // The helper runs as root: it cannot be signalled from here; closing the socket makes it cancel and exit.
  return { exited, kill: () => undefined, pid: child.pid };
}

/** The real dependencies: execa for the direct and pkexec starts, sudo-prompt as the fallback elevation. */
export function defaultElevationDeps(): ElevationDeps {
  return {
    polkit: process.getuid?.() === 0 ? null : findPolkitRoute(appRoot()),
    setup: helperSetup(appRoot()),
    isRoot: () => process.getuid?.() === 0,
    sudoExec: (command, options, cb) => sudo.exec(command, options, cb),
    spawnDirect: (file, args, options) =>
      // detached: its own process group, so a Ctrl-C meant for `iios write` does not kill it mid-step; the app
      // cancels it through the socket and it cleans up (unmounts, loop devices) before it exits.
      startTool(file, args, { cwd: options.cwd, env: options.env, detached: true, reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', all: false }),
  };
}
