// Whether an image-file target's folder can take the image: it exists, is a folder, the user may write in it,
// and its filesystem has room. Pure: the app gathers the facts (src-main/services/drives/image-folder.ts: stat,
// access, statfs) and these rules word the answer, so the wizard's targets step, `iios write` and the
// preflight before the password prompt say the same thing, with what to do.
import { formatBytes } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';

export interface ImageFolderFacts {
  /** The folder the image file goes into (the path's parent, as given). */
  folder: string;
  /** What is at the folder's path: nothing, something that is not a folder (a file), or a folder. */
  kind: 'absent' | 'not-folder' | 'folder';
  /** The nearest folder above it that exists (so the message can say where to start), when absent. */
  existingParent: string | null;
  /** The user running iios may create files in it (access W_OK | X_OK). */
  writable: boolean;
  /** Bytes free for an unprivileged write on its filesystem (statfs bavail × bsize); 0 when unknown. */
  freeBytes: number;
  /** Blocks of an old image file at the path that replacing it frees. */
  reclaimableBytes: number;
}

export const IMAGE_FOLDER_CODES = ['ok', 'no-folder', 'not-folder', 'not-writable', 'no-room'] as const;
export type ImageFolderCode = (typeof IMAGE_FOLDER_CODES)[number];

export interface ImageFolderVerdict {
  code: ImageFolderCode;
  /** What stops the write, with what to do; null when nothing does. */
  problem: string | null;
  /** Said beside a folder that can take the write but not the image at its full size (it is written sparse). */
  notice: string | null;
}

/**
 * `sizeBytes`: the image file's size; `writeBytes`: the least the job writes into it (the sparse file's blocks).
 * No room for `writeBytes` stops the job; no room for the full size is only said (a sparse image can grow later,
 * e.g. when it is booted in a virtual machine).
 */
export function imageFolderVerdict(path: string, facts: ImageFolderFacts, sizes: { sizeBytes: number; writeBytes?: number }): ImageFolderVerdict {
  const folder = facts.folder;
  if (facts.kind === 'absent') {
    const problem = facts.existingParent ? t('imageFolder.missing', { folder, parent: facts.existingParent }) : t('imageFolder.missingNoParent', { folder });
    return { code: 'no-folder', problem, notice: null };
  }
  if (facts.kind === 'not-folder') return { code: 'not-folder', problem: t('imageFolder.notFolder', { folder }), notice: null };
  if (!facts.writable) return { code: 'not-writable', problem: t('imageFolder.notWritable', { folder }), notice: null };
  const have = facts.freeBytes + facts.reclaimableBytes;
  const write = sizes.writeBytes ?? 0;
  if (write > have) {
    return { code: 'no-room', problem: t('imageFolder.noRoom', { path, free: formatBytes(have), need: formatBytes(write) }), notice: null };
  }
  const notice = sizes.sizeBytes > have ? t('imageFolder.sparseRoom', { free: formatBytes(have), size: formatBytes(sizes.sizeBytes) }) : null;
  return { code: 'ok', problem: null, notice };
}
