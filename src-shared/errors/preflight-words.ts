// Why the app refused a write target before asking for a password, in the reader's language: each typed problem
// (src-shared/job/preflight-problem.ts) said with the catalogue, sizes formatted the reader's way.
import { formatBytesApart } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';
import type { PreflightProblem } from '../job/preflight-problem.ts';
import { busyWords, imageFolderWords, imagePathWords } from './rule-words.ts';
import { planProblemWords } from './plan-words.ts';

export function preflightWords(p: PreflightProblem): string {
  switch (p.kind) {
    case 'mounted':
      return t('preflight.mounted', { path: p.path, mounts: p.mounts.join(', ') });
    case 'same-disk':
      return t('preflight.sameDisk', { path: p.path, other: p.other });
    case 'same-file':
      return t('preflight.sameFile', { path: p.path, other: p.other });
    case 'backing-file':
      return t('preflight.backingFile', { path: p.path, dev: p.dev });
    case 'bundle-outside':
      return t('preflight.bundleOutside', { file: p.file });
    case 'image-room': {
      const [have, write] = formatBytesApart(p.haveBytes, p.writeBytes);
      return t('capacity.imageRoom', { path: p.path, have, write });
    }
    case 'payload-room': {
      const [need, room] = formatBytesApart(p.needBytes, p.roomBytes);
      return t('preflight.payloadRoom', { path: p.path, problem: t('capacity.payload', { need, room }) });
    }
    case 'too-small': {
      const [size, needed] = formatBytesApart(p.sizeBytes, p.neededBytes);
      return t('error.tooSmallTarget', { target: p.path, size, profile: p.profile, needed });
    }
    case 'busy':
      return busyWords(p.problem);
    case 'image-path':
      return imagePathWords(p.problem);
    case 'image-folder':
      return imageFolderWords(p.problem);
    case 'plan':
      return t('preflight.plan', { path: p.path, problem: planProblemWords(p.problem) });
    case 'text':
      return p.text;
  }
}
