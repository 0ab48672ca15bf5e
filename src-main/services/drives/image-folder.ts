// The facts about an image-file target's folder, read as the user running iios (no privileges): stat, access,
// statfs, and the old image's blocks; src-shared/drives/image-folder.ts words the verdict. Served as the
// drives.checkImageFolder channel (the wizard asks as the path is typed) and used by the write request and the
// preflight, so `iios write` refuses before anything asks for a password.
import { constants } from 'node:fs';
import { access, lstat, stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { imageFolderVerdict, type ImageFolderFacts, type ImageFolderVerdict } from '../../../src-shared/drives/image-folder.ts';

export interface ImageFolderCheck extends ImageFolderVerdict {
  folder: string;
  /** Bytes free in the folder's filesystem (with an old image's blocks), null when it has none. */
  freeBytes: number | null;
}

async function nearestExisting(folder: string): Promise<string | null> {
  for (let at = dirname(folder); ; at = dirname(at)) {
    if ((await stat(at).catch(() => null))?.isDirectory()) return at;
    if (at === dirname(at)) return null;
  }
}

export async function imageFolderFacts(path: string): Promise<ImageFolderFacts> {
  const folder = dirname(path);
  const facts: ImageFolderFacts = { folder, kind: 'absent', existingParent: null, writable: false, freeBytes: 0, reclaimableBytes: 0 };
  const st = await stat(folder).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOTDIR' ? 'not-folder' : null));
  if (st === 'not-folder' || (st && !st.isDirectory())) return { ...facts, kind: 'not-folder' };
  if (!st) return { ...facts, existingParent: await nearestExisting(folder) };
  facts.kind = 'folder';
  // access() answers for the real user id: the user running iios, even when the helper later runs as root.
  facts.writable = await access(folder, constants.W_OK | constants.X_OK).then(
    () => true,
    () => false,
  );
  const fs = await statfs(folder).catch(() => null);
  facts.freeBytes = fs ? fs.bavail * fs.bsize : 0;
  const old = await lstat(path).catch(() => null);
  if (old?.isFile() && old.nlink === 1) facts.reclaimableBytes = old.blocks * 512;
  return facts;
}

/** The folder check of an image file of `sizeBytes` into which the job writes at least `writeBytes`. */
export async function checkImageFolder(args: { path: string; sizeBytes: number; writeBytes?: number }): Promise<ImageFolderCheck> {
  const facts = await imageFolderFacts(args.path);
  const verdict = imageFolderVerdict(args.path, facts, args);
  return { ...verdict, folder: facts.folder, freeBytes: facts.kind === 'folder' ? facts.freeBytes + facts.reclaimableBytes : null };
}
