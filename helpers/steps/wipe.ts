// Wipe first, so an interrupted write never looks like the old, valid stick: image files are created anew
// (sparse, truncate), devices lose every known signature (wipefs -a) and their first and last MiB (the
// primary and backup GPT, an old stamp's ESP boot sector).
import { open, rm } from 'node:fs/promises';
import type { TargetCtx } from '../context.ts';
import { wipefs } from '../tools/mkfs.ts';

const MiB = 1024 * 1024;

export async function createImageFile(ctx: TargetCtx): Promise<void> {
  // A new inode: nothing of an older image survives, and the file is sparse (no zeros are written).
  await rm(ctx.disk, { force: true });
  const fh = await open(ctx.disk, 'wx', 0o644);
  try {
    await fh.truncate(ctx.target.sizeBytes);
  } finally {
    await fh.close();
  }
}

export async function wipe(ctx: TargetCtx): Promise<void> {
  ctx.enter('wipe');
  if (ctx.target.kind === 'image-file') {
    await createImageFile(ctx);
    return;
  }
  await wipefs(ctx.disk, { signal: ctx.signal });
  const fh = await open(ctx.disk, 'r+');
  try {
    const zero = Buffer.alloc(MiB);
    const size = ctx.plan.diskBytes;
    await fh.write(zero, 0, MiB, 0);
    await fh.write(zero, 0, MiB, Math.max(0, size - MiB));
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
