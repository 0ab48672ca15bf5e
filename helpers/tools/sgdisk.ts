// sgdisk: write a GPT from the plan, verify it, read one partition back.
import { run, type RunOptions } from './run.ts';

export interface GptPartitionSpec {
  index: number;
  name: string;
  typeGuid: string;
  startLba: number;
  sizeLba: number;
  attributes: readonly number[];
}

/** Fresh GPT with exactly these partitions (sgdisk -o first, so nothing of an old table survives). */
export async function writeGpt(disk: string, parts: readonly GptPartitionSpec[], opts: RunOptions = {}): Promise<void> {
  const args = ['-o'];
  for (const p of parts) {
    args.push('-n', `${p.index}:${p.startLba}:${p.startLba + p.sizeLba - 1}`);
    args.push('-c', `${p.index}:${p.name}`, '-t', `${p.index}:${p.typeGuid}`);
    for (const bit of p.attributes) args.push('-A', `${p.index}:set:${bit}`);
  }
  args.push(disk);
  await run('sgdisk', args, { ...opts, okExitCodes: [0] });
}

/** Adds partitions to the existing table, moving the backup GPT to the disk's end first (raw + persistence). */
export async function addPartitionsAfterImage(disk: string, parts: readonly GptPartitionSpec[], opts: RunOptions = {}): Promise<void> {
  await run('sgdisk', ['-e', disk], opts);
  const args: string[] = [];
  for (const p of parts) {
    args.push('-n', `${p.index}:${p.startLba}:${p.startLba + p.sizeLba - 1}`, '-c', `${p.index}:${p.name}`, '-t', `${p.index}:${p.typeGuid}`);
    for (const bit of p.attributes) args.push('-A', `${p.index}:set:${bit}`);
  }
  await run('sgdisk', [...args, disk], opts);
}

/** `sgdisk -v`: throws unless it reports "No problems found". */
export async function verifyGpt(disk: string, opts: RunOptions = {}): Promise<string> {
  const { stdout } = await run('sgdisk', ['-v', disk], opts);
  if (!/No problems found/.test(stdout)) throw new Error(`sgdisk -v found problems on ${disk}: ${stdout.trim()}`);
  return stdout;
}

export interface GptPartitionInfo {
  typeGuid: string;
  uniqueGuid: string;
  firstLba: number;
  lastLba: number;
  attributes: bigint;
  name: string;
}

/** Parses `sgdisk -i N` output; null when the partition does not exist. */
export function parsePartitionInfo(text: string): GptPartitionInfo | null {
  const field = (label: string) => new RegExp(`^${label}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const type = field('Partition GUID code');
  const first = field('First sector');
  if (!type || !first) return null;
  return {
    typeGuid: type.split(' ')[0]!.toLowerCase(),
    uniqueGuid: (field('Partition unique GUID') ?? '').toLowerCase(),
    firstLba: Number.parseInt(first, 10),
    lastLba: Number.parseInt(field('Last sector') ?? '0', 10),
    attributes: BigInt(`0x${field('Attribute flags') ?? '0'}`),
    name: /^Partition name: '(.*)'$/m.exec(text)?.[1] ?? '',
  };
}

export async function partitionInfo(disk: string, index: number, opts: RunOptions = {}): Promise<GptPartitionInfo | null> {
  const { stdout } = await run('sgdisk', ['-i', String(index), disk], opts);
  return parsePartitionInfo(stdout);
}
