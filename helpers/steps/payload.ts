// Kiosk payload: the files chosen for this job, on their own small partition (ext4 through a loop
// device, or FAT through mtools), each recorded in the stamp with its sha256.
import { copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PayloadFile } from '../../src-shared/job/write-job.ts';
import type { TargetCtx } from '../context.ts';
import type { SourceReadCheck } from '../source-access.ts';
import { sha256OfFile } from '../source.ts';
import { withLoop } from '../tools/losetup.ts';
import { mkfsExt4 } from '../tools/mkfs.ts';
import { withMount } from '../tools/mount.ts';
import { fatCopyIn } from '../tools/mtools.ts';
import { run } from '../tools/run.ts';
import { mkfsFatAt } from './esp.ts';

export interface PayloadEntry {
  path: string;
  sha256: string;
  sizeBytes: number;
}

/**
 * Hashes the payload sources once for all targets (before anything is written: a missing file, or one the
 * user who started iios cannot read, refuses the job).
 */
export async function describePayload(files: PayloadFile[], access: SourceReadCheck, signal: AbortSignal): Promise<(PayloadEntry & { sourcePath: string })[]> {
  const out: (PayloadEntry & { sourcePath: string })[] = [];
  for (const f of files) {
    const st = await stat(f.sourcePath);
    if (!st.isFile()) throw new Error(`payload ${f.sourcePath} is not a regular file`);
    await access.check(f.sourcePath, 'read');
    out.push({ sourcePath: f.sourcePath, path: `/${f.name}`, sha256: await sha256OfFile(f.sourcePath, signal), sizeBytes: st.size });
  }
  return out;
}

export async function payload(ctx: TargetCtx, entries: (PayloadEntry & { sourcePath: string })[]): Promise<PayloadEntry[]> {
  const part = ctx.part('payload');
  if (!part) return [];
  ctx.enter('payload');
  if (part.filesystem === 'vfat') {
    // A small payload partition is too small for FAT32: mkfs.vfat picks FAT12/16.
    await mkfsFatAt(ctx, part.startBytes, part.sizeBytes, 'IIOS-PAYLD', false);
    for (const e of entries) await fatCopyIn({ disk: ctx.disk, offset: part.startBytes }, e.sourcePath, e.path, { signal: ctx.signal });
  } else {
    await withLoop(
      ctx.disk,
      part.startBytes,
      part.sizeBytes,
      async (dev) => {
        await mkfsExt4(dev, part.name, { signal: ctx.signal });
        await withMount(dev, async (mnt) => {
          for (const e of entries) await copyFile(e.sourcePath, join(mnt, e.path));
          await run('sync', ['-f', mnt]);
        });
      },
      { signal: ctx.signal },
    );
  }
  return entries.map(({ path, sha256, sizeBytes }) => ({ path, sha256, sizeBytes }));
}
