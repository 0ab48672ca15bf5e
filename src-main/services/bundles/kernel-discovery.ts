// Finds the kernel of a system tree: /boot/vmlinuz-<release> (Debian, Fedora) or /usr/lib/modules/<release>/vmlinuz
// (bootc, mkosi), with the modules of that same release. One kernel or a named one (--kernel); never a guess.
import { readdir, stat } from 'node:fs/promises';
import { resolveInRoot } from './path-in-root.ts';

export interface FoundKernel {
  release: string;
  /** host path of the kernel image */
  image: string;
  /** host path of lib/modules/<release> (holds modules.dep) */
  modulesDir: string;
}

export class KernelDiscoveryError extends Error {
  override name = 'KernelDiscoveryError';
}

async function isFile(path: string | null): Promise<boolean> {
  return path !== null && (await stat(path).catch(() => null))?.isFile() === true;
}

async function listDir(path: string | null): Promise<string[]> {
  return path === null ? [] : readdir(path).catch(() => []);
}

/** Every kernel release in the tree that has an image, by release (the same release in two places counts once). */
export async function listKernels(root: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const moddir of ['usr/lib/modules', 'lib/modules']) {
    const dir = await resolveInRoot(root, moddir);
    for (const release of (await listDir(dir)).sort()) {
      const image = await resolveInRoot(root, `${moddir}/${release}/vmlinuz`);
      if (!found.has(release) && (await isFile(image))) found.set(release, image!);
    }
  }
  const boot = await resolveInRoot(root, 'boot');
  for (const name of (await listDir(boot)).sort()) {
    if (!name.startsWith('vmlinuz-')) continue;
    const release = name.slice('vmlinuz-'.length);
    const image = await resolveInRoot(root, `boot/${name}`);
    if (release && !found.has(release) && (await isFile(image))) found.set(release, image!);
  }
  return found;
}

/** The tree's kernel; `wanted` (a release) picks one when there are several. */
export async function findKernel(root: string, wanted?: string): Promise<FoundKernel> {
  const kernels = await listKernels(root);
  const releases = [...kernels.keys()];
  let release: string;
  if (wanted !== undefined) {
    if (!kernels.has(wanted)) {
      throw new KernelDiscoveryError(
        `${root} has no kernel ${wanted}` + (releases.length ? ` (it has: ${releases.join(', ')})` : ' (it has none)'),
      );
    }
    release = wanted;
  } else if (releases.length === 0) {
    throw new KernelDiscoveryError(
      `${root} holds no kernel (looked for /boot/vmlinuz-* and /usr/lib/modules/*/vmlinuz): install one in the system (Debian: linux-image-amd64)`,
    );
  } else if (releases.length > 1) {
    throw new KernelDiscoveryError(`${root} holds several kernels (${releases.join(', ')}): choose one with --kernel RELEASE`);
  } else {
    release = releases[0]!;
  }
  const modulesDir = (await resolveInRoot(root, `usr/lib/modules/${release}`)) ?? (await resolveInRoot(root, `lib/modules/${release}`));
  if (!modulesDir || !(await isFile(`${modulesDir}/modules.dep`))) {
    throw new KernelDiscoveryError(
      `kernel ${release} in ${root} has no modules (lib/modules/${release}/modules.dep): install its modules or run depmod in the system`,
    );
  }
  return { release, image: kernels.get(release)!, modulesDir };
}
