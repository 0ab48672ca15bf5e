// The GPT from the plan: names, type GUIDs, the read-only attribute (bit 60) on verity partitions;
// checked with `sgdisk -v` and read back partition by partition.
import type { TargetCtx } from '../context.ts';
import { partitionInfo, verifyGpt, writeGpt } from '../tools/sgdisk.ts';

export async function partition(ctx: TargetCtx): Promise<void> {
  ctx.enter('partition');
  const parts = ctx.plan.partitions.filter((p) => p.index > 0);
  await writeGpt(ctx.disk, parts, { signal: ctx.signal });
  await verifyGpt(ctx.disk, { signal: ctx.signal });
  for (const p of parts) {
    const got = await partitionInfo(ctx.disk, p.index, { signal: ctx.signal });
    if (!got || got.name !== p.name || got.typeGuid !== p.typeGuid.toLowerCase() || got.firstLba !== p.startLba) {
      throw new Error(`partition ${p.index} (${p.name}) did not come out as planned`);
    }
  }
}
