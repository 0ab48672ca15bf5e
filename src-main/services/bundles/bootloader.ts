// The systemd-boot EFI binary a bundle carries: the system's own, else this computer's, else the demo OS's
// (built from Debian's systemd-boot-efi). The boot loader only reads the ESP; any recent one will do.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveInRoot } from './path-in-root.ts';
import { defaultBundleDir } from '../sources/bundles.ts';

const EFI = 'usr/lib/systemd/boot/efi/systemd-bootx64.efi';

export async function findBootloader(tree: string): Promise<{ path: string; from: string }> {
  const inTree = await resolveInRoot(tree, EFI);
  const demo = defaultBundleDir();
  const candidates: [string | null, string][] = [
    [inTree, 'system'],
    [`/${EFI}`, 'host'],
    [demo ? join(demo, 'systemd-bootx64.efi') : null, 'demo-os'],
  ];
  for (const [path, from] of candidates) {
    if (path && (await stat(path).catch(() => null))?.isFile()) return { path, from };
  }
  throw new Error(`no systemd-boot EFI binary: neither the system nor this computer has /${EFI} (install systemd-boot-efi, or run npm run build:demo)`);
}
