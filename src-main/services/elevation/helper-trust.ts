// Whose code runs as root. The helper is started with root's rights from files on disk: whoever can change those
// files (or any folder above them) can run anything as root the next time a password is typed. An installed iios
// (deb, rpm, an AppImage's mount) must therefore come from files only root can change; that is checked before any
// prompt, and a helper that fails it is not started. A checkout (sources and node_modules beside the bundles) is a
// developer setup: its files belong to the developer, so iios says so in the job's log and in the prompt rather
// than refusing it.
import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { helperWrapperPath } from './polkit-route.ts';
import type { HelperCommand } from './helper-process.ts';

export type HelperSetup = { kind: 'developer'; root: string } | { kind: 'installed'; root: string };

export interface TrustFs {
  lstat: (path: string) => Pick<Stats, 'uid' | 'mode' | 'isDirectory' | 'isSymbolicLink'>;
  realpath: (path: string) => string;
  exists: (path: string) => boolean;
  readdir: (path: string) => string[];
}

const realFs: TrustFs = {
  lstat: (p) => lstatSync(p),
  realpath: (p) => realpathSync(p),
  exists: (p) => {
    try {
      statSync(p);
      return true;
    } catch {
      return false;
    }
  },
  readdir: (p) => readdirSync(p),
};

/**
 * A checkout: the build script the bundles are made by and the dependencies in node_modules, side by side (a
 * packaged iios has neither: ensure-built.mjs tells them apart the same way).
 */
export function helperSetup(root: string, fs: TrustFs = realFs): HelperSetup {
  const checkout = fs.exists(join(root, 'build.mjs')) && fs.exists(join(root, 'node_modules'));
  return { kind: checkout ? 'developer' : 'installed', root };
}

/** The words the log and the password prompt use for a developer setup. */
export function developerSetupNotice(root: string): string {
  return `running a developer setup: the helper that runs as root is loaded from ${root} (a checkout with node_modules), files that can be changed without administrator rights; install iios from its package for everyday use`;
}

/** What a job's log says about the helper's code: a developer setup is named where a password is asked for. */
export function setupNoticeFor(setup: HelperSetup | undefined, isRoot: boolean): string | null {
  return setup?.kind === 'developer' && !isRoot ? developerSetupNotice(setup.root) : null;
}

const STICKY = 0o1000;

/**
 * Why `path` could be changed by someone other than root: the file or a folder above it (the link's own folders
 * and its target's) not owned by root, or writable by its group or by others (a sticky folder owned by root, like
 * /tmp, only lets each user replace their own entries, so it does not count). Empty when it is safe.
 */
export function modifiableBy(path: string, fs: TrustFs = realFs): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const check = (p: string) => {
    for (let at = p; ; at = dirname(at)) {
      if (!seen.has(at)) {
        seen.add(at);
        let st: ReturnType<TrustFs['lstat']>;
        try {
          st = fs.lstat(at);
        } catch (err) {
          problems.push(`${at} cannot be checked: ${(err as Error).message}`);
          return;
        }
        if (st.uid !== 0) problems.push(`${at} belongs to uid ${st.uid}, not root`);
        // A link's own mode means nothing (always 0777); its folder and its target are what can be changed.
        else if (!st.isSymbolicLink() && st.mode & 0o022 && !(st.isDirectory() && st.mode & STICKY)) problems.push(`${at} is writable by ${st.mode & 0o020 ? 'its group' : 'everyone'}`);
      }
      if (at === dirname(at)) return;
    }
  };
  check(path);
  let real: string | null = null;
  try {
    real = fs.realpath(path);
  } catch {
    // reported by the check above
  }
  if (real && real !== path) check(real);
  return problems;
}

export class HelperTrustError extends Error {
  readonly code = 'E_HELPER_TRUST';
  constructor(readonly problems: string[]) {
    super(
      `refusing to run the helper as root: its files can be changed without administrator rights (${problems.join('; ')}). ` +
        'An installed iios must be owned by root and writable only by root: reinstall it from its package, or fix the owner and modes of the folders named',
    );
  }
}

/**
 * A split bundle's chunks (dist/helper/chunks/, build.mjs): code the helper imports as root once its job
 * arrives, so the folder and every file in it are checked like the bundle's entry.
 */
function chunkFiles(entry: string, fs: TrustFs): string[] {
  const dir = join(dirname(entry), 'chunks');
  if (!fs.exists(dir)) return [];
  return [dir, ...fs.readdir(dir).map((n) => join(dir, n))];
}

/** The files an elevated helper is loaded from: the program, the helper bundle and its chunks, and the pkexec wrapper when present. */
export function helperFiles(cmd: HelperCommand, root: string, fs: TrustFs = realFs): string[] {
  const bundle = cmd.args.filter((a) => a.startsWith('/'));
  const files = [cmd.file, ...bundle, ...bundle.flatMap((f) => chunkFiles(f, fs))];
  const wrapper = helperWrapperPath(root);
  if (fs.exists(wrapper)) files.push(wrapper);
  return files;
}

/** Throws HelperTrustError when an installed iios's helper could be changed by someone other than root. */
export function assertHelperTrusted(cmd: HelperCommand, setup: HelperSetup, fs: TrustFs = realFs): void {
  if (setup.kind === 'developer') return;
  const problems = helperFiles(cmd, setup.root, fs).flatMap((f) => modifiableBy(f, fs));
  if (problems.length) throw new HelperTrustError([...new Set(problems)]);
}
