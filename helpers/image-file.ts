// An image-file target's folder is opened once, when the helper checks it, and from then on the image is only
// ever reached through that open folder (/proc/self/fd/<folder>/<name>): a folder swapped for a link after the
// check cannot redirect a delete, a create or a write. The image is created new (O_EXCL, never through a link,
// checked on the open handle) and then bind-mounted, by its open handle, onto a file in the helper's own
// root-only folder; every tool (sgdisk, mtools, losetup, mkfs) gets that path, which no user can redirect
// (losetup and mount resolve the links of a path they are given, so /proc/<pid>/fd/<n> alone would not do).
import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, openSync, readlinkSync, readSync, renameSync, statfsSync, unlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { ImageFileRoom } from '../src-shared/drives/capacity.ts';
import { existingImageFileProblem, type ExistingImageFile } from '../src-shared/drives/image-file-target.ts';
import { umount } from './tools/mount.ts';
import { run } from './tools/run.ts';
import { helperWorkDir } from './workdir.ts';

export interface HeldFolder {
  fd: number;
  /** The folder's real path, as the kernel names the open folder (the rules are checked on this). */
  realPath: string;
  /** The new image, made at its full size beside the old one before the job writes anything (stageImage). */
  staged: { fd: number; name: string } | null;
}

export interface HeldImage {
  fd: number;
  /** The root-only path the tools use (a bind mount of the open file). */
  bound: string;
}

/** Opens the folder of `given` (following its links once, as the user meant them); null when there is none. */
export function holdFolder(given: string): HeldFolder | null {
  let fd: number;
  try {
    fd = openSync(dirname(given), constants.O_RDONLY | constants.O_DIRECTORY);
  } catch {
    return null;
  }
  return { fd, realPath: readlinkSync(`/proc/self/fd/${fd}`), staged: null };
}

/** Closes the folder; a staged image that never replaced the old one is removed (the old one stays as it was). */
export function releaseFolder(f: HeldFolder | null): void {
  if (!f) return;
  if (f.staged) releaseStaged(f);
  closeSync(f.fd);
}

/** Free bytes for the image on its folder's filesystem, and the old image's blocks that replacing it frees. */
export function roomIn(f: HeldFolder, name: string): ImageFileRoom {
  const fs = statfsSync(`/proc/self/fd/${f.fd}`);
  let reclaimableBytes = 0;
  try {
    const st = lstatSync(inFolder(f, name));
    if (st.isFile() && st.nlink === 1) reclaimableBytes = st.blocks * 512;
  } catch {
    /* absent */
  }
  return { freeBytes: fs.bavail * fs.bsize, reclaimableBytes };
}

/**
 * Makes the new image beside the old one, at its full size (sparse), before anything is written: a size the
 * filesystem cannot hold (EFBIG: `--size 100T` on ext4) fails here, while the old image is still untouched.
 * Returns why it cannot be made, or null.
 */
export function stageImage(f: HeldFolder, shownPath: string, sizeBytes: number): string | null {
  const name = `.${basename(shownPath)}.iios-new-${process.pid}`;
  const fd = openSync(inFolder(f, name), constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
  f.staged = { fd, name };
  try {
    ftruncateSync(fd, sizeBytes);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EFBIG' || code === 'EINVAL') return `${shownPath}: ${sizeBytes} bytes is more than the filesystem of ${f.realPath} allows for one file; choose a smaller size or another folder`;
    return `${shownPath}: could not make the image file (${(err as Error).message})`;
  }
}

const inFolder = (f: HeldFolder, name: string) => `/proc/self/fd/${f.fd}/${name}`;

const HEAD_BYTES = 1024;

/** What is at `name` in the held folder now: lstat (a link is seen as a link), and a file's first KiB. */
export function existingIn(f: HeldFolder, name: string): ExistingImageFile {
  const at = inFolder(f, name);
  const existing: ExistingImageFile = { kind: 'absent', sizeBytes: 0, head: new Uint8Array() };
  let st;
  try {
    st = lstatSync(at);
  } catch {
    return existing;
  }
  if (st.isSymbolicLink()) existing.kind = 'symlink';
  else if (!st.isFile()) existing.kind = 'other';
  else {
    existing.kind = 'file';
    existing.sizeBytes = st.size;
    const fd = openSync(at, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const head = Buffer.alloc(HEAD_BYTES);
      existing.head = head.subarray(0, readSync(fd, head, 0, HEAD_BYTES, 0));
    } finally {
      closeSync(fd);
    }
  }
  return existing;
}

/**
 * Replaces the image file by a new, sparse one of `sizeBytes` in the held folder, re-checking what is there
 * first (the same rule as before the job), and binds it where the tools reach it. `shownPath` is for messages.
 */
export async function createHeldImage(f: HeldFolder, shownPath: string, sizeBytes: number, key: string): Promise<HeldImage> {
  const name = basename(shownPath);
  const problem = existingImageFileProblem(shownPath, existingIn(f, name));
  if (problem) throw new Error(problem);
  if (!f.staged && stageImage(f, shownPath, sizeBytes)) throw new Error(stageImage(f, shownPath, sizeBytes)!);
  const { fd, name: stagedName } = f.staged!;
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.nlink !== 1 || st.size !== sizeBytes) throw new Error(`${shownPath}: the new image file was changed before it was written; nothing was written`);
    // The old image (checked just above) is replaced by the new file in one step, inside the held folder.
    renameSync(inFolder(f, stagedName), inFolder(f, name));
    f.staged = null;
    const bound = await bindPath(key);
    await run('mount', ['--bind', '--no-canonicalize', `/proc/${process.pid}/fd/${fd}`, bound]);
    return { fd, bound };
  } catch (err) {
    if (f.staged) releaseStaged(f);
    else closeSync(fd);
    throw err;
  }
}

function releaseStaged(f: HeldFolder): void {
  const s = f.staged!;
  f.staged = null;
  closeSync(s.fd);
  try {
    unlinkSync(inFolder(f, s.name));
  } catch {
    /* gone */
  }
}

async function bindPath(key: string): Promise<string> {
  const dir = helperWorkDir() ? join(helperWorkDir()!, 'targets') : await mkdtemp(join(tmpdir(), 'iios-targets-'));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const bound = join(dir, `${key.replace(/[^A-Za-z0-9_-]/g, '_')}.img`);
  await writeFile(bound, '', { mode: 0o600 });
  return bound;
}

/** Unbinds and closes the image (job end, whatever happened). */
export async function releaseImage(image: HeldImage | null): Promise<void> {
  if (!image) return;
  await umount(image.bound);
  await rm(image.bound, { force: true });
  closeSync(image.fd);
}
