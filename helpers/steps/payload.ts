// Kiosk payload: the files chosen for this job, on their own small partition (ext4 through a loop
// device, or FAT through mtools), each recorded in the stamp with its sha256.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { wrongFileKind } from '../../src-shared/format/file-kind.ts';
import type { PayloadFile } from '../../src-shared/job/write-job.ts';
import type { TargetCtx } from '../context.ts';
import type { SourceReadCheck } from '../source-access.ts';
import { withLoop } from '../tools/losetup.ts';
import { mkfsExt4 } from '../tools/mkfs.ts';
import { withMount } from '../tools/mount.ts';
import { fatCopyIn } from '../tools/mtools.ts';
import { run } from '../tools/run.ts';
import { mkfsFatAt } from './esp.ts';

/** The FAT label of a payload partition formatted FAT (mkfs.vfat takes at most 11 characters). */
export const PAYLOAD_FAT_LABEL = 'IIOS-PAYLD';

export interface PayloadEntry {
  path: string;
  sha256: string;
  sizeBytes: number;
}

/** A payload file as the job uses it: the helper's private copy, and where it came from (for messages and checks). */
export interface PayloadSource extends PayloadEntry {
  sourcePath: string;
  originPath: string;
}

/**
 * Takes each payload file once for all targets, before anything is written: opened without following a link,
 * checked on that open file (and the folders above it) as readable by the user who started iios, then copied
 * and hashed into `copyDir`, a folder only root can reach. Every target gets the copy, so a file swapped after
 * the check (for a link to a file the user may not read) is never what is read, and the stamp's sha256 is
 * what was written.
 */
export async function describePayload(files: PayloadFile[], access: SourceReadCheck, signal: AbortSignal, copyDir: () => Promise<string>): Promise<PayloadSource[]> {
  const out: PayloadSource[] = [];
  for (const [i, f] of files.entries()) {
    // O_NONBLOCK: a FIFO put there must not hang the helper before it is seen not to be a file.
    const fh = await open(f.sourcePath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ELOOP') throw new Error(`payload ${f.sourcePath} is a symbolic link; choose the file it points to`);
      throw err;
    });
    try {
      const st = await fh.stat();
      const wrong = wrongFileKind(`payload ${f.sourcePath}`, st);
      if (wrong) throw new Error(wrong);
      await access.check(f.sourcePath, 'read');
      access.checkEntry(f.sourcePath, st, 'read');
      const copy = join(await copyDir(), `payload-${i}`);
      const hash = createHash('sha256');
      let sizeBytes = 0;
      const tee = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          sizeBytes += chunk.length;
          done(null, chunk);
        },
      });
      const dest = await open(copy, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      await pipeline(fh.createReadStream({ start: 0, autoClose: false }), tee, dest.createWriteStream(), { signal });
      out.push({ sourcePath: copy, originPath: f.sourcePath, path: `/${f.name}`, sha256: hash.digest('hex'), sizeBytes });
    } finally {
      await fh.close();
    }
  }
  return out;
}

export async function payload(ctx: TargetCtx, entries: PayloadSource[]): Promise<PayloadEntry[]> {
  const part = ctx.part('payload');
  if (!part) return [];
  ctx.enter('payload');
  if (part.filesystem === 'vfat') {
    // A small payload partition is too small for FAT32: mkfs.vfat picks FAT12/16.
    await mkfsFatAt(ctx, part.startBytes, part.sizeBytes, PAYLOAD_FAT_LABEL, false);
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
