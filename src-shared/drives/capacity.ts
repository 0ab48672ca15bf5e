// What can be known to fail before a byte is written: payload files that cannot fit their partition, caches that
// cannot fit the data partition, and an
// image file whose filesystem has not room for what the job surely writes. Pure and shared: the app checks it
// before asking for a password, the helper again before writing, from the same facts each reads itself.
import { cacheFit, type CacheContent, type FitPlan } from '../caches/cache-fit.ts';
import { formatBytes, formatBytesApart, groupDigits } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Room a new filesystem of `partBytes` keeps for itself (journal, inode tables, FATs), generously. */
export function filesystemOverhead(partBytes: number, filesystem: string | null | undefined): number {
  if (filesystem === 'ext4') return Math.ceil(partBytes * 0.1) + 2 * MiB;
  return Math.ceil(partBytes * 0.03) + 256 * KiB;
}

/** What the payload files need and the payload partition of `partBytes` holds, when they do not fit (else null). */
export function payloadShortfall(partBytes: number, filesystem: string | null | undefined, fileBytes: readonly number[]): { needBytes: number; roomBytes: number } | null {
  // Each file takes whole 4 KiB blocks (clusters).
  const need = fileBytes.reduce((s, n) => s + Math.ceil(n / (4 * KiB)) * 4 * KiB, 0);
  const room = partBytes - filesystemOverhead(partBytes, filesystem);
  return need <= room ? null : { needBytes: need, roomBytes: Math.max(0, room) };
}

/** Why the payload files cannot go onto a payload partition of `partBytes` (null when they fit). */
export function payloadProblem(partBytes: number, filesystem: string | null | undefined, fileBytes: readonly number[]): string | null {
  const short = payloadShortfall(partBytes, filesystem, fileBytes);
  return short && t('capacity.payload', { need: formatBytes(short.needBytes), room: formatBytes(short.roomBytes) });
}

/**
 * Why caches cannot go onto a target laid out by `plan` (null when they fit, or when there are none): the rule the
 * app's job service refuses with (cache-fit.ts), checked again by the helper from the caches it read itself.
 */
export function cacheFitProblem(target: { path: string; sizeBytes: number }, plan: FitPlan, caches: CacheContent): string | null {
  if (caches.bytes <= 0 && caches.files <= 0) return null;
  const fit = cacheFit(plan, caches);
  if (fit.kind === 'fits') return null;
  if (fit.kind === 'no-caches') return t('capacity.cachesNoSubvolume', { path: target.path });
  const [has, needs] = formatBytesApart(target.sizeBytes, fit.neededBytes);
  return t('capacity.cachesTooBig', { path: target.path, count: caches.files, caches: formatBytes(caches.bytes), size: has, needed: needs, neededBytes: groupDigits(fit.neededBytes) });
}

export interface ImageFileRoom {
  /** Bytes free for an unprivileged write on the image file's filesystem (statfs: bavail × bsize). */
  freeBytes: number;
  /** Blocks of the old image file that are freed when it is replaced (it has no other name). */
  reclaimableBytes: number;
}

/** Why the image file's filesystem cannot take `writeBytes` (the least the job writes into the sparse file). */
export function imageFileRoomProblem(path: string, room: ImageFileRoom, writeBytes: number): string | null {
  const have = room.freeBytes + room.reclaimableBytes;
  if (writeBytes <= have) return null;
  return t('capacity.imageRoom', { path, have: formatBytes(have), write: formatBytes(writeBytes) });
}

/** The least a bundle job writes into a sparse image file: the slots and their hash trees, payload and caches. */
export function leastBundleWrite(o: { slots: number; rootfsBytes: number; verityBytes: number; otherFileBytes: number; payloadBytes: number; cacheBytes: number }): number {
  return o.slots * (o.rootfsBytes + o.verityBytes) + o.otherFileBytes + o.payloadBytes + o.cacheBytes;
}
