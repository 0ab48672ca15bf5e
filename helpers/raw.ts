// The raw profile: a disk image written as it is from byte 0 (decompressed on the way by the system tool),
// read back and compared, then optionally the persistence partition behind it (sgdisk -e moves the image's
// backup GPT to the end of the target; an MBR-only image gets an appended MBR partition instead). The new GPT
// entry is read back field by field like the bundle profiles' partitions.
import { randomUUID } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { WriteJob } from '../src-shared/job/write-job.ts';
import { forEachTarget, type TargetCtx } from './context.ts';
import { fanOut } from './io/fanout.ts';
import { decompressReader, fileReader } from './io/reader.ts';
import type { RawSource } from './source.ts';
import { formatPartition } from './steps/btrfs.ts';
import { checkPartition } from './steps/partition.ts';
import { readBackSha256 } from './steps/verify.ts';
import { wipe } from './steps/wipe.ts';
import { appendMbrPartition } from './tools/sfdisk.ts';
import { addPartitionsAfterImage, firstFreeNumber, gptSummary, verifyGpt } from './tools/sgdisk.ts';

async function hasGpt(ctx: TargetCtx): Promise<boolean> {
  const fh = await open(ctx.disk, 'r');
  try {
    const b = Buffer.alloc(8);
    await fh.read(b, 0, 8, ctx.plan.sectorSize);
    return b.toString('latin1') === 'EFI PART';
  } finally {
    await fh.close();
  }
}

async function addPersistence(ctx: TargetCtx): Promise<void> {
  const part = ctx.part('persistence');
  if (!part) return;
  ctx.enter('partition');
  const opts = { signal: ctx.signal };
  if (await hasGpt(ctx)) {
    // The first free entry of the image's own table, chosen here (not sgdisk's "0") so it can be read back by number.
    const index = firstFreeNumber(await gptSummary(ctx.disk, opts));
    const spec = { index, name: part.name, typeGuid: part.typeGuid, startLba: part.startLba, sizeLba: part.sizeLba, attributes: part.attributes, uniqueGuid: part.uniqueGuid ?? randomUUID() };
    await addPartitionsAfterImage(ctx.disk, [spec], opts);
    await verifyGpt(ctx.disk, opts);
    await checkPartition(ctx.disk, spec, opts);
  } else {
    await appendMbrPartition(ctx.disk, { startLba: part.startLba, sizeLba: part.sizeLba, type: '83' }, opts);
  }
  ctx.enter('btrfs');
  await formatPartition(ctx, { ...part, role: 'data' }, null);
}

export async function writeRaw(job: WriteJob, targets: TargetCtx[], source: RawSource, signal: AbortSignal): Promise<void> {
  await forEachTarget(targets, wipe);
  const live = targets.filter((t) => t.alive);
  for (const t of live) {
    t.enter('slots');
    t.progress(0, source.imageBytes, true);
  }
  const reader = source.compression ? decompressReader(source.path, source.compression, signal) : await fileReader(source.path);
  let sha: string | null = null;
  try {
    const got = await fanOut(reader, source.imageBytes, live.map((t) => ({ ctx: t, offsets: [0], onProgress: (n) => t.progress(n, source.imageBytes, n >= source.imageBytes) })), signal);
    if (source.sha256 && got.sha256 !== source.sha256) throw new Error(`the image changed while it was written (sha256 ${got.sha256}, expected ${source.sha256})`);
    sha = got.sha256;
  } catch (err) {
    for (const t of live) t.fail(err);
  } finally {
    await reader.close();
  }
  await forEachTarget(live, async (t) => {
    if (job.verify && sha) {
      t.enter('verify');
      const back = await readBackSha256(t, 0, source.imageBytes, (n) => t.progress(n, source.imageBytes));
      if (back !== sha) throw new Error(`the image reads back with sha256 ${back}, expected ${sha}`);
      t.verified = true;
    }
    await addPersistence(t);
  });
}
