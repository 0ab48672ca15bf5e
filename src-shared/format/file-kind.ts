// What a path is, in words, for refusals on both sides (the app's source and request checks, the helper's
// own): a FIFO or a device given as a bundle file, an image or a payload is not "missing" or "not found", and
// the user fixes it only once told what it is. Pure (no node:): it reads what an fs.Stats answers.

/** The questions an fs.Stats (from stat, lstat or a file handle) answers. */
export interface StatsLike {
  isFile(): boolean;
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSymbolicLink(): boolean;
}

export type FileKind = 'file' | 'directory' | 'fifo' | 'socket' | 'character-device' | 'block-device' | 'symlink' | 'other';

export function fileKindOf(st: StatsLike): FileKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

const KIND_WORDS: Record<FileKind, string> = {
  file: 'a regular file',
  directory: 'a directory',
  fifo: 'a FIFO (named pipe)',
  socket: 'a socket',
  'character-device': 'a character device',
  'block-device': 'a block device',
  symlink: 'a symbolic link',
  other: 'a special file',
};

/** "a FIFO (named pipe)", "a character device", "a directory" … */
export function fileKindWords(st: StatsLike): string {
  return KIND_WORDS[fileKindOf(st)];
}

/**
 * Null when `st` is one of the kinds wanted (a regular file unless told otherwise); else the sentence
 * "<what> is a FIFO (named pipe), not a file". `expected` is how the wanted kinds are named ("a file",
 * "a block device or an image file").
 */
export function wrongFileKind(what: string, st: StatsLike, wanted: FileKind[] = ['file'], expected = 'a file'): string | null {
  return wanted.includes(fileKindOf(st)) ? null : `${what} is ${fileKindWords(st)}, not ${expected}`;
}
