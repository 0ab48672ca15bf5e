// What an image-file target may be. The helper runs as root and deletes and recreates the file it writes, so
// a job naming /etc/shadow or /usr/bin/ls as an "image file" would destroy it: the name and the folder are
// checked here, and an existing file's first KiB. Pure: the helper gathers the facts (the real path of the
// folder, lstat, the first KiB) and these rules decide; the app uses the name rule to refuse early. Each rule
// answers typed (…Rule: the reason, for another process to say in its reader's language) and in words (…Problem).
import { imagePathWords } from '../errors/rule-words.ts';
import type { ImagePathProblem } from './rule-problems.ts';

/** An image file is named *.img or *.raw (any case): no system binary, config or key file is named so. */
const IMAGE_NAME = /.\.(img|raw)$/i;

/**
 * Folders an image file never goes into, whatever its name: the system's programs, libraries, boot files
 * (/boot and /efi hold grub's core.img and the initrd.img files), configuration, kernel interfaces and
 * runtime state (/run; /var/run and /var/lock link there), and the package manager's and services' state
 * (/var/lib holds libvirt's VM disks, for instance). Not all of /var: on image-based systems (Fedora
 * Silverblue, other ostree systems) /home, /mnt and /root live under /var, and /var/tmp is the usual place
 * for big temporary files.
 */
export const SYSTEM_TREES = [
  '/bin',
  '/boot',
  '/dev',
  '/efi',
  '/etc',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/proc',
  '/run',
  '/sbin',
  '/sys',
  '/usr',
  '/var/cache',
  '/var/lib',
  '/var/lock',
  '/var/log',
  '/var/mail',
  '/var/run',
  '/var/spool',
] as const;

/** Inside a system tree but the user's own: udisks mounts removable drives at /run/media/<user>/<label>. */
const USER_PLACES_IN_SYSTEM_TREES = ['/run/media'];

/** Folders of keys and credentials, in any home (/root/.ssh, /home/ana/.gnupg). */
const SECRET_FOLDERS = new Set(['.ssh', '.gnupg']);

const inside = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

/** Why `path` may not be an image-file target (a message that says what to do), or null when it may. */
export function imageFilePathProblem(path: string): string | null {
  const p = imageFilePathRule(path);
  return p && imagePathWords(p);
}

/** Why `path` may not be an image-file target, typed, or null when it may. */
export function imageFilePathRule(path: string): ImagePathProblem | null {
  const parts = path.split('/');
  if (!path.startsWith('/') || path.endsWith('/') || parts.includes('..')) {
    return { reason: 'not-plain', path };
  }
  // "//etc/./x.img" is /etc/x.img.
  const clean = `/${parts.filter((p) => p !== '' && p !== '.').join('/')}`;
  const name = clean.slice(clean.lastIndexOf('/') + 1);
  if (!IMAGE_NAME.test(name)) {
    return { reason: 'bad-name', path, suggestion: `${name.replace(/\.[^.]*$/, '') || 'stick'}.img` };
  }
  const tree = SYSTEM_TREES.find((t) => inside(clean, t));
  if (tree && !USER_PLACES_IN_SYSTEM_TREES.some((u) => inside(clean, u))) {
    return { reason: 'system-folder', path, folder: tree };
  }
  const secret = parts.find((p) => SECRET_FOLDERS.has(p));
  if (secret) return { reason: 'secret-folder', path, folder: secret };
  return null;
}

/** What is at an image-file target's path now (lstat: a link is seen as a link, not followed). */
export interface ExistingImageFile {
  kind: 'absent' | 'file' | 'symlink' | 'other';
  sizeBytes: number;
  /** The file's first bytes (up to 1 KiB; empty unless kind is 'file'). */
  head: Uint8Array;
}

const GPT_SIGNATURE = [...'EFI PART'].map((c) => c.charCodeAt(0));

/**
 * Whether the first KiB is that of a disk image iios may replace: a GPT header at 512 (every bundle stick iios
 * writes, and most disk images); a boot-sector signature at 510 (an MBR disk image or a FAT image, e.g. an
 * MBR-only image iios wrote with the raw profile); or all zeros (a write iios began — the file is created
 * sparse before the partition table is written — or a raw filesystem image, whose first KiB is empty).
 * No text, program or document starts like that.
 */
export function looksLikeDiskImage(head: Uint8Array): boolean {
  if (head.length >= 520 && GPT_SIGNATURE.every((b, i) => head[512 + i] === b)) return true;
  if (head.length >= 512 && head[510] === 0x55 && head[511] === 0xaa) return true;
  return head.length >= 1024 && head.every((b) => b === 0);
}

/** Why the thing already at `path` must not be replaced by an image file (what to do), or null. */
export function existingImageFileProblem(path: string, existing: ExistingImageFile): string | null {
  const p = existingImageFileRule(path, existing);
  return p && imagePathWords(p);
}

/** Why the thing already at `path` must not be replaced by an image file, typed, or null. */
export function existingImageFileRule(path: string, existing: ExistingImageFile): ImagePathProblem | null {
  switch (existing.kind) {
    case 'absent':
      return null;
    case 'symlink':
      return { reason: 'symlink', path };
    case 'other':
      return { reason: 'not-regular', path };
    case 'file':
      if (existing.sizeBytes === 0 || looksLikeDiskImage(existing.head)) return null;
      return { reason: 'not-an-image', path };
  }
}
