// Wipe first, so an interrupted write never looks like the old, valid stick: image files are created anew
// (sparse, truncate); devices lose every known signature (wipefs -a), their first and last MiB (the primary and
// backup GPT) and the first MiB of every partition, old and planned. The last part matters when a finished stick
// is written again: its new ESP lands where the old one was, and without it a write cancelled before the ESP step
// would show the old FAT volume and its old `complete: true` stamp through the new partition table.
import { fchownSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { TargetCtx } from '../context.ts';
import { startingOwner } from '../file-owner.ts';
import { createHeldImage } from '../image-file.ts';
import { wipefs } from '../tools/mkfs.ts';
import { existingPartitions } from '../tools/sfdisk.ts';

const MiB = 1024 * 1024;

export async function createImageFile(ctx: TargetCtx): Promise<void> {
  // A new inode: nothing of an older image survives, and the file is sparse (no zeros are written). Only
  // through the folder held open since the check: a folder swapped for a link since then is not followed.
  if (!ctx.imageFolder) throw new Error(`${ctx.target.path}: its folder was not checked; nothing was written`);
  ctx.image = await createHeldImage(ctx.imageFolder, ctx.target.path, ctx.target.sizeBytes, ctx.id);
  // 0o666 less the umask sudo/pkexec carried over from the user; the file is theirs (helpers/file-owner.ts).
  const owner = await startingOwner();
  if (owner) fchownSync(ctx.image.fd, owner.uid, owner.gid);
}

/**
 * `rawImage`: the wipe before a raw image's write. Its old partitions are not looked up (sfdisk): the ones that
 * start inside the image are overwritten by the image itself before its table goes on (raw.ts writes the first
 * MiB last), and no table the image brings points past its end (only a planned persistence partition does, and
 * planned starts are zeroed here). Signatures (wipefs), the first and last MiB and the planned starts go as always.
 */
export async function wipe(ctx: TargetCtx, opts: { rawImage?: boolean } = {}): Promise<void> {
  ctx.enter('wipe');
  if (ctx.target.kind === 'image-file') {
    await createImageFile(ctx);
    return;
  }
  const old = opts.rawImage ? [] : await existingPartitions(ctx.disk, { signal: ctx.signal });
  await wipefs(ctx.disk, { signal: ctx.signal });
  const fh = await open(ctx.disk, 'r+');
  try {
    const zero = Buffer.alloc(MiB);
    const size = ctx.plan.diskBytes;
    const starts = new Set<number>([0, Math.max(0, size - MiB)]);
    for (const p of old) starts.add(p.startBytes);
    for (const p of ctx.plan.partitions) starts.add(p.startBytes);
    for (const at of starts) {
      if (at >= size) continue;
      await fh.write(zero, 0, Math.min(MiB, size - at), at);
    }
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
