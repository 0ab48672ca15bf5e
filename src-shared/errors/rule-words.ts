// The shared drive rules' refusals (src-shared/drives/rule-problems.ts) in the reader's language: a busy disk, an
// image file's path or what is at it, its folder. The rules word their own verdicts with these too, so a process
// that applies a rule and shows it itself (the renderer's path check) says the same sentence.
import { formatBytes, formatBytesApart } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';
import type { BusyProblem, ImageFolderNotice, ImageFolderProblem, ImagePathProblem } from '../drives/rule-problems.ts';

/** The part of the target a loop covers: all of it, or a byte range. */
function loopRange(p: Extract<BusyProblem, { reason: 'loop' }>): string {
  if (p.offset === 0 && p.sizeLimit === 0) return t('rule.busy.rangeAll');
  if (p.sizeLimit === 0) return t('rule.busy.rangeToEnd', { from: String(p.offset) });
  return t('rule.busy.rangeBytes', { from: String(p.offset), to: String(p.offset + p.sizeLimit) });
}

export function busyWords(p: BusyProblem): string {
  switch (p.reason) {
    case 'loop': {
      const vars = { target: p.target, loop: p.loop, range: loopRange(p) };
      return p.mounts.length ? t('rule.busy.loopMounted', { ...vars, mounts: p.mounts.join(', ') }) : t('rule.busy.loop', vars);
    }
    case 'held':
      return t('rule.busy.held', { target: p.target, holders: p.holders.join(', ') });
  }
}

export function imagePathWords(p: ImagePathProblem): string {
  switch (p.reason) {
    case 'not-plain':
      return t('imageFile.notPlainPath', { path: p.path });
    case 'bad-name':
      return t('imageFile.badName', { path: p.path, suggestion: p.suggestion });
    case 'system-folder':
      return t('imageFile.systemFolder', { path: p.path, folder: p.folder });
    case 'secret-folder':
      return t('imageFile.secretFolder', { path: p.path, folder: p.folder });
    case 'symlink':
      return t('imageFile.symlink', { path: p.path });
    case 'not-regular':
      return t('imageFile.notRegular', { path: p.path });
    case 'not-an-image':
      return t('imageFile.notAnImage', { path: p.path });
  }
}

export function imageFolderWords(p: ImageFolderProblem): string {
  switch (p.reason) {
    case 'missing':
      return p.parent ? t('imageFolder.missing', { folder: p.folder, parent: p.parent }) : t('imageFolder.missingNoParent', { folder: p.folder });
    case 'not-folder':
      return t('imageFolder.notFolder', { folder: p.folder });
    case 'not-writable':
      return t('imageFolder.notWritable', { folder: p.folder });
    case 'no-room': {
      const [free, need] = formatBytesApart(p.freeBytes, p.needBytes);
      return t('imageFolder.noRoom', { path: p.path, free, need });
    }
  }
}

export function imageFolderNoticeWords(n: ImageFolderNotice): string {
  return t('imageFolder.sparseRoom', { free: formatBytes(n.freeBytes), size: formatBytes(n.sizeBytes) });
}
