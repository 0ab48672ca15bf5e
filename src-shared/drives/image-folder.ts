// Whether an image-file target's folder can take the image: it exists, is a folder, the user may write in it,
// and its filesystem has room. Pure: the app gathers the facts (src-main/services/drives/image-folder.ts: stat,
// access, statfs) and these rules word the answer, so the wizard's targets step, `iios write` and the
// preflight before the password prompt say the same thing, with what to do.
import { imageFolderNoticeWords, imageFolderWords } from '../errors/rule-words.ts';
import type { ImageFolderNotice, ImageFolderProblem } from './rule-problems.ts';

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
  /** The problem typed, so that another process says it in its reader's language (rule-words.ts). */
  said: ImageFolderProblem | null;
  noticeSaid: ImageFolderNotice | null;
}

/**
 * `sizeBytes`: the image file's size; `writeBytes`: the least the job writes into it (the sparse file's blocks).
 * No room for `writeBytes` stops the job; no room for the full size is only said (a sparse image can grow later,
 * e.g. when it is booted in a virtual machine).
 */
export function imageFolderVerdict(path: string, facts: ImageFolderFacts, sizes: { sizeBytes: number; writeBytes?: number }): ImageFolderVerdict {
  const refuse = (code: ImageFolderCode, said: ImageFolderProblem): ImageFolderVerdict => ({ code, problem: imageFolderWords(said), notice: null, said, noticeSaid: null });
  const folder = facts.folder;
  if (facts.kind === 'absent') return refuse('no-folder', { reason: 'missing', folder, parent: facts.existingParent });
  if (facts.kind === 'not-folder') return refuse('not-folder', { reason: 'not-folder', folder });
  if (!facts.writable) return refuse('not-writable', { reason: 'not-writable', folder });
  const have = facts.freeBytes + facts.reclaimableBytes;
  const write = sizes.writeBytes ?? 0;
  if (write > have) return refuse('no-room', { reason: 'no-room', path, freeBytes: have, needBytes: write });
  const noticeSaid = sizes.sizeBytes > have ? { freeBytes: have, sizeBytes: sizes.sizeBytes } : null;
  return { code: 'ok', problem: null, notice: noticeSaid && imageFolderNoticeWords(noticeSaid), said: null, noticeSaid };
}
