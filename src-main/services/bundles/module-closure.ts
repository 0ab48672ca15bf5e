// The kernel modules an initramfs needs: the wanted names plus, from modules.dep, everything they depend on.
// Pure: works on the text of modules.dep and modules.builtin.

/** modules.dep: "path: dep dep …" per line -> path -> its direct dependencies. */
export function parseModulesDep(text: string): Map<string, string[]> {
  const deps = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    deps.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim().split(/\s+/).filter(Boolean));
  }
  return deps;
}

/** The module name of a path (kernel/fs/nls/nls_iso8859-1.ko.xz -> nls_iso8859_1): "-" and "_" are one. */
export function moduleName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/\.ko(\.(xz|zst|gz))?$/, '').replaceAll('-', '_');
}

export interface ModuleClosure {
  /** paths relative to the modules directory, sorted */
  files: string[];
  /** wanted names built into the kernel (nothing to load) */
  builtin: string[];
  /** wanted names neither in modules.dep nor built in */
  missing: string[];
}

export function moduleClosure(wanted: readonly string[], modulesDep: string, modulesBuiltin = ''): ModuleClosure {
  const deps = parseModulesDep(modulesDep);
  const byName = new Map<string, string>();
  for (const path of deps.keys()) if (!byName.has(moduleName(path))) byName.set(moduleName(path), path);
  const builtinNames = new Set(modulesBuiltin.split('\n').filter(Boolean).map(moduleName));
  const files = new Set<string>();
  const builtin: string[] = [];
  const missing: string[] = [];
  const add = (path: string) => {
    if (files.has(path)) return;
    files.add(path);
    for (const dep of deps.get(path) ?? []) add(dep);
  };
  for (const raw of wanted) {
    const name = raw.replaceAll('-', '_');
    const path = byName.get(name);
    if (path) add(path);
    else if (builtinNames.has(name)) builtin.push(raw);
    else missing.push(raw);
  }
  return { files: [...files].sort(), builtin, missing };
}
