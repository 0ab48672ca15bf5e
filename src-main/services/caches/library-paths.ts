// Where cache sets and the cache library live on this computer: sets in `$XDG_CONFIG_HOME/iios/cache-sets/`,
// built caches in `$XDG_CACHE_HOME/iios/caches/<set>/<kind>/` (IIOS_CACHES_DIR overrides the library, as the
// job API's cache list already honours), the apt signing key in `$XDG_CONFIG_HOME/iios/apt-key/`.
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

function xdg(env: NodeJS.ProcessEnv, name: 'XDG_CONFIG_HOME' | 'XDG_CACHE_HOME', fallback: string): string {
  const v = env[name];
  return v && isAbsolute(v) ? v : join(homedir(), fallback);
}

export function cacheLibraryDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.IIOS_CACHES_DIR ?? join(xdg(env, 'XDG_CACHE_HOME', '.cache'), 'iios', 'caches');
}

export function cacheSetsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(xdg(env, 'XDG_CONFIG_HOME', '.config'), 'iios', 'cache-sets');
}

/** The once-per-computer key that signs apt caches (and its public part, copied beside each repo). */
export function aptKeyDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(xdg(env, 'XDG_CONFIG_HOME', '.config'), 'iios', 'apt-key');
}

/** A path written in a cache set: `~` is the user's home, a relative path is relative to the set's folder. */
export function setPath(baseDir: string, p: string): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return isAbsolute(p) ? p : resolve(baseDir, p);
}
