// sfdisk: reading the partition table a disk has now (before it is wiped, `sfdisk --json`), and appending an
// MBR partition behind a raw image.
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

/** Appends one MBR partition (an MBR-only image's persistence partition) without asking the kernel to re-read. */
export async function appendMbrPartition(disk: string, p: { startLba: number; sizeLba: number; type: string }, opts: RunOptions = {}): Promise<void> {
  await run('sfdisk', ['--append', '--no-reread', '--no-tell-kernel', disk], { ...opts, input: `start=${p.startLba}, size=${p.sizeLba}, type=${p.type}\n` });
}

export function parseSfdiskJson(text: string): ExistingPartition[] {
  const doc = JSON.parse(text) as { partitiontable?: { sectorsize?: number; partitions?: { start: number; size: number }[] } };
  const table = doc.partitiontable;
  const sector = table?.sectorsize ?? 512;
  return (table?.partitions ?? []).map((p) => ({ startBytes: p.start * sector, sizeBytes: p.size * sector }));
}
