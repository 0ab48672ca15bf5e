// Reading the partition table a disk has now (before it is wiped), through `sfdisk --json`.
import { run, type RunOptions } from './run.ts';

export interface ExistingPartition {
  startBytes: number;
  sizeBytes: number;
}

/** The partitions a disk holds now, in bytes; none when it has no readable table (blank, or already wiped). */
export async function existingPartitions(disk: string, opts: RunOptions = {}): Promise<ExistingPartition[]> {
  const r = await run('sfdisk', ['--json', disk], { ...opts, okExitCodes: [0, 1] });
  if (r.exitCode !== 0 || !r.stdout.trim()) return [];
  return parseSfdiskJson(r.stdout);
}

export function parseSfdiskJson(text: string): ExistingPartition[] {
  const doc = JSON.parse(text) as { partitiontable?: { sectorsize?: number; partitions?: { start: number; size: number }[] } };
  const table = doc.partitiontable;
  const sector = table?.sectorsize ?? 512;
  return (table?.partitions ?? []).map((p) => ({ startBytes: p.start * sector, sizeBytes: p.size * sector }));
}
