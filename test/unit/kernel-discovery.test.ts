// Kernel discovery in system trees made up on the spot: Debian's /boot/vmlinuz-*, bootc's
// /usr/lib/modules/*/vmlinuz, a merged-/usr link, none, several, --kernel, and a link that points out of the tree.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKernel, KernelDiscoveryError } from '../../src-main/services/bundles/kernel-discovery.ts';

let base: string;
let n = 0;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'iios-kernels-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

type Entry = string | { link: string };
async function tree(files: Record<string, Entry>): Promise<string> {
  const root = join(base, `t${n++}`);
  await mkdir(root);
  for (const [rel, what] of Object.entries(files)) {
    const path = join(root, rel);
    await mkdir(join(path, '..'), { recursive: true });
    if (typeof what === 'string') await writeFile(path, what);
    else await symlink(what.link, path);
  }
  return root;
}

const mods = (dir: string, rel: string) => ({ [`${dir}/${rel}/modules.dep`]: '' });

describe('findKernel', () => {
  it('finds a Debian kernel in /boot with its modules under /lib/modules (merged /usr through a link)', async () => {
    const root = await tree({ 'boot/vmlinuz-6.1.0-9-amd64': 'k', lib: { link: 'usr/lib' }, ...mods('usr/lib/modules', '6.1.0-9-amd64') });
    const k = await findKernel(root);
    expect(k.release).toBe('6.1.0-9-amd64');
    expect(k.image).toBe(join(root, 'boot/vmlinuz-6.1.0-9-amd64'));
    expect(k.modulesDir).toBe(join(root, 'usr/lib/modules/6.1.0-9-amd64'));
  });

  it('finds a bootc kernel in /usr/lib/modules/<release>/vmlinuz', async () => {
    const root = await tree({ 'usr/lib/modules/6.8.5-301.fc40.x86_64/vmlinuz': 'k', ...mods('usr/lib/modules', '6.8.5-301.fc40.x86_64') });
    expect((await findKernel(root)).release).toBe('6.8.5-301.fc40.x86_64');
  });

  it('counts one release once when it is in both places', async () => {
    const root = await tree({ 'boot/vmlinuz-6.1.0-9-amd64': 'k', 'usr/lib/modules/6.1.0-9-amd64/vmlinuz': 'k', ...mods('usr/lib/modules', '6.1.0-9-amd64') });
    expect((await findKernel(root)).release).toBe('6.1.0-9-amd64');
  });

  it('refuses a tree without a kernel and says what to install', async () => {
    const root = await tree({ 'etc/os-release': 'ID=debian', 'usr/lib/modules/6.1.0-9-amd64/modules.dep': '' });
    await expect(findKernel(root)).rejects.toThrow(/holds no kernel.*linux-image-amd64/);
  });

  it('refuses several kernels without --kernel, and takes the one --kernel names', async () => {
    const root = await tree({
      'boot/vmlinuz-6.1.0-9-amd64': 'k',
      'boot/vmlinuz-6.1.0-10-amd64': 'k',
      ...mods('lib/modules', '6.1.0-9-amd64'),
      ...mods('lib/modules', '6.1.0-10-amd64'),
    });
    await expect(findKernel(root)).rejects.toThrow(/several kernels \(6\.1\.0-10-amd64, 6\.1\.0-9-amd64\).*--kernel/);
    expect((await findKernel(root, '6.1.0-9-amd64')).modulesDir).toBe(join(root, 'lib/modules/6.1.0-9-amd64'));
    await expect(findKernel(root, '5.10.0-1-amd64')).rejects.toThrow(KernelDiscoveryError);
  });

  it('refuses a kernel without modules.dep', async () => {
    const root = await tree({ 'boot/vmlinuz-6.1.0-9-amd64': 'k' });
    await expect(findKernel(root)).rejects.toThrow(/has no modules.*depmod/);
  });

  it('follows an absolute link inside the tree, never out of it', async () => {
    const outside = await tree({ 'boot/vmlinuz-9.9.9-host': 'host kernel', ...mods('lib/modules', '9.9.9-host') });
    const root = await tree({ boot: { link: `${outside}/boot` } });
    await expect(findKernel(root)).rejects.toThrow(/holds no kernel/);
    const inside = await tree({ boot: { link: '/efi/boot' }, 'efi/boot/vmlinuz-6.1.0-9-amd64': 'k', ...mods('lib/modules', '6.1.0-9-amd64') });
    expect((await findKernel(inside)).image).toBe(join(inside, 'efi/boot/vmlinuz-6.1.0-9-amd64'));
  });
});
