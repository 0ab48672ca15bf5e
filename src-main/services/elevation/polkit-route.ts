// The installed polkit route to the helper: `pkexec <install>/resources/resources/linux/iios-helper --socket … --token …`.
// pkexec matches the program it runs against the exec.path of installed actions, so only this route shows iios's
// own prompt ("Write a USB stick with iios", io.iios.helper.write) and lets polkit keep the authorisation
// (auth_admin_keep). sudo-prompt runs `pkexec /bin/bash -c …`, which polkit only knows as "run a program as root";
// it stays the fallback where the route is not installed (a clone, an AppImage mounted at a random path).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const POLKIT_ACTION_FILE = '/usr/share/polkit-1/actions/io.iios.helper.policy';
export const PKEXEC = '/usr/bin/pkexec';

export interface PolkitRoute {
  pkexec: string;
  wrapper: string;
}

export interface PolkitRouteFs {
  exists: (path: string) => boolean;
  read: (path: string) => string;
}

const realFs: PolkitRouteFs = { exists: existsSync, read: (p) => readFileSync(p, 'utf8') };

/** The action's exec.path annotation in a policy file, or null. */
export function policyExecPath(policyXml: string): string | null {
  return /<annotate key="org\.freedesktop\.policykit\.exec\.path">\s*([^<\s]+)\s*<\/annotate>/.exec(policyXml)?.[1] ?? null;
}

/** The wrapper pkexec starts, relative to the app root (process.resourcesPath when packaged). */
export function helperWrapperPath(root: string): string {
  return join(root, 'resources', 'linux', 'iios-helper');
}

/**
 * The route when all of it is in place: pkexec, the wrapper beside this install, and an installed action whose
 * exec.path names exactly that wrapper (otherwise pkexec would fall back to its generic prompt anyway).
 */
export function findPolkitRoute(root: string, fs: PolkitRouteFs = realFs): PolkitRoute | null {
  const wrapper = helperWrapperPath(root);
  if (!fs.exists(PKEXEC) || !fs.exists(wrapper) || !fs.exists(POLKIT_ACTION_FILE)) return null;
  let xml: string;
  try {
    xml = fs.read(POLKIT_ACTION_FILE);
  } catch {
    return null;
  }
  return policyExecPath(xml) === wrapper ? { pkexec: PKEXEC, wrapper } : null;
}
