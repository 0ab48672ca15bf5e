// The GPT from the plan: names, type GUIDs, the read-only attribute (bit 60) on verity partitions, the disk
// GUID and every partition's unique GUID; checked with `sgdisk -v` and read back partition by partition.
//
// GUIDs: the plan carries them only when it was made with a seed or explicit uuids (`iios plan --seed`). The
// job's plans are made without one, so each target gets fresh random GUIDs here, chosen by iios rather than by
// sgdisk: then they are known before writing and read back like every other field, and two sticks of one job
// never share a disk or partition GUID.
import { randomUUID } from 'node:crypto';
import type { PartitionPlan } from '../../src-shared/layout/index.ts';
import type { TargetCtx } from '../context.ts';
import type { RunOptions } from '../tools/run.ts';
import { readGptBack, writeGpt, type GptPartitionInfo, type GptPartitionSpec, type GptTableSpec } from '../tools/sgdisk.ts';

/** The table to write for a plan: its GUIDs where it has them, fresh random ones where it does not. */
export function plannedGptTable(plan: PartitionPlan, newGuid: () => string = randomUUID): GptTableSpec {
  return {
    diskGuid: plan.diskGuid ?? newGuid(),
    partitions: plan.partitions
      .filter((p) => p.index > 0)
      .map((p) => ({
        index: p.index,
        name: p.name,
        typeGuid: p.typeGuid.toLowerCase(),
        startLba: p.startLba,
        sizeLba: p.sizeLba,
        attributes: p.attributes,
        uniqueGuid: (p.uniqueGuid ?? newGuid()).toLowerCase(),
      })),
  };
}

/** GPT attribute bit numbers as the 64-bit flags word `sgdisk -i` prints. */
export function attributeMask(bits: readonly number[]): bigint {
  return bits.reduce((m, b) => m | (1n << BigInt(b)), 0n);
}

const hex64 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;

/** Every field of a read-back partition that differs from the spec, as "field planned X, found Y". */
export function gptMismatches(want: GptPartitionSpec, got: GptPartitionInfo): string[] {
  const out: string[] = [];
  const diff = (field: string, planned: string | number, found: string | number) => {
    if (planned !== found) out.push(`${field} planned ${planned}, found ${found}`);
  };
  diff('name', JSON.stringify(want.name), JSON.stringify(got.name));
  diff('type', want.typeGuid.toLowerCase(), got.typeGuid);
  diff('first LBA', want.startLba, got.firstLba);
  diff('last LBA', want.startLba + want.sizeLba - 1, got.lastLba);
  if (want.uniqueGuid) diff('unique GUID', want.uniqueGuid.toLowerCase(), got.uniqueGuid);
  diff('attributes', hex64(attributeMask(want.attributes)), hex64(got.attributes));
  return out;
}

/** Throws, naming the fields, unless the partition read back (null: missing) is exactly the spec. */
function checkReadBack(want: GptPartitionSpec, got: GptPartitionInfo | null): void {
  if (!got) throw new Error(`partition ${want.index} (${want.name}) is missing from the table`);
  const bad = gptMismatches(want, got);
  if (bad.length) throw new Error(`partition ${want.index} (${want.name}) did not come out as planned: ${bad.join('; ')}`);
}

/**
 * Verifies the table and reads one partition back, in one sgdisk run (readGptBack), and throws, naming the fields,
 * unless it is exactly the spec.
 */
export async function checkPartition(disk: string, want: GptPartitionSpec, opts: RunOptions = {}): Promise<void> {
  checkReadBack(want, (await readGptBack(disk, [want.index], opts)).partitions.get(want.index) ?? null);
}

export async function partition(ctx: TargetCtx): Promise<void> {
  ctx.enter('partition');
  const opts = { signal: ctx.signal };
  const table = plannedGptTable(ctx.plan);
  await writeGpt(ctx.disk, table, opts);
  // verified, summed up and every partition read back in one sgdisk run
  const back = await readGptBack(ctx.disk, table.partitions.map((p) => p.index), opts);
  const summary = back.summary;
  if (summary.diskGuid !== table.diskGuid) throw new Error(`the disk GUID did not come out as planned: planned ${table.diskGuid}, found ${summary.diskGuid}`);
  const extra = summary.partitions.filter((s) => !table.partitions.some((p) => p.index === s.index));
  if (extra.length) throw new Error(`the table holds partitions that were not planned: ${extra.map((e) => e.index).join(', ')}`);
  for (const p of table.partitions) checkReadBack(p, back.partitions.get(p.index) ?? null);
  ctx.log('debug', `GPT written and read back: disk GUID ${table.diskGuid}, ${table.partitions.length} partitions`);
}
