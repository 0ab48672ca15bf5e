// The tools the named kinds need, looked up on PATH before anything is built, so a missing one is said once,
// up front, with the Debian packages that bring them.
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export async function onPath(command: string, path = process.env.PATH ?? ''): Promise<boolean> {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    if (await access(join(dir, command), constants.X_OK).then(() => true, () => false)) return true;
  }
  return false;
}

export async function requireTools(needs: { kind: string; command: string; debianPackage: string }[]): Promise<void> {
  const missing: typeof needs = [];
  for (const n of needs) if (!(await onPath(n.command))) missing.push(n);
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((m) => m.debianPackage))].sort();
  const what = missing.map((m) => `${m.command} (for ${m.kind})`).join(', ');
  throw new Error(`missing tools: ${what}. Install them (sudo apt-get install ${pkgs.join(' ')}) and build again`);
}
