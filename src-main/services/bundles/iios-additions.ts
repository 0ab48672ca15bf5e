// What iios adds to a systemd system so it boots like every iios system: the shared helpers, a unit that counts
// the boot and names the host from the stick's stamp, and a unit that blesses the boot and prints IIOS-READY.
// The @state/@home mounts are the initramfs's. Every added path is named in the manifest (build.iiosAdditions).
import { chmod, copyFile, mkdir, symlink, writeFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { resourcesDir } from '../app/app-info.ts';

export const IIOS_SYSTEMD_ADDITIONS = {
  'usr/lib/iios/common.sh': { from: 'common.sh', mode: 0o644 },
  'usr/lib/iios/iios-boot': { from: 'systemd/iios-boot', mode: 0o755 },
  'usr/lib/iios/iios-ready': { from: 'systemd/iios-ready', mode: 0o755 },
  'usr/lib/systemd/system/iios-boot.service': { from: 'systemd/iios-boot.service', mode: 0o644 },
  'usr/lib/systemd/system/iios-ready.service': { from: 'systemd/iios-ready.service', mode: 0o644 },
} as const;

const ENABLED = {
  'etc/systemd/system/sysinit.target.wants/iios-boot.service': '/usr/lib/systemd/system/iios-boot.service',
  'etc/systemd/system/multi-user.target.wants/iios-ready.service': '/usr/lib/systemd/system/iios-ready.service',
} as const;

/** Adds iios's files to a staged copy of the system (never the source) and returns the paths it added. */
export async function addIiosToSystemd(stage: string, bundleVersion: string): Promise<string[]> {
  const from = join(resourcesDir(), 'initramfs');
  const added: string[] = [];
  for (const [rel, { from: src, mode }] of Object.entries(IIOS_SYSTEMD_ADDITIONS)) {
    const dest = join(stage, rel);
    await mkdir(dirname(dest), { recursive: true });
    await rm(dest, { force: true });
    await copyFile(join(from, src), dest);
    await chmod(dest, mode);
    added.push(`/${rel}`);
  }
  await writeFile(join(stage, 'usr/lib/iios/bundle-version'), `${bundleVersion}\n`);
  added.push('/usr/lib/iios/bundle-version');
  for (const [rel, target] of Object.entries(ENABLED)) {
    const dest = join(stage, rel);
    await mkdir(dirname(dest), { recursive: true });
    await rm(dest, { force: true });
    await symlink(target, dest);
    added.push(`/${rel}`);
  }
  return added;
}
