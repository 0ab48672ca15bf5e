// sgdisk: write a GPT from the plan (disk GUID, unique partition GUIDs, attribute bits included), verify it,
// read it back (`sgdisk -p` for the disk GUID and the numbers in use, `sgdisk -i N` for one partition; all of
// them in one run with readGptBack).
import { gptProblems } from '../../src-shared/verify/gpt-verdict.ts';
import { run, type RunOptions } from './run.ts';

export interface GptPartitionSpec {
  index: number;
  name: string;
  typeGuid: string;
  startLba: number;
  sizeLba: number;
  attributes: readonly number[];
  /** written with `-u N:guid` when given; sgdisk picks a random one otherwise */
  uniqueGuid?: string;
}

export interface GptTableSpec {
  /** written with `-U guid` when given; sgdisk picks a random one otherwise */
  diskGuid?: string;
  partitions: readonly GptPartitionSpec[];
}

function partitionArgs(p: GptPartitionSpec): string[] {
  const args = ['-n', `${p.index}:${p.startLba}:${p.startLba + p.sizeLba - 1}`, '-c', `${p.index}:${p.name}`, '-t', `${p.index}:${p.typeGuid}`];
  if (p.uniqueGuid) args.push('-u', `${p.index}:${p.uniqueGuid}`);
  for (const bit of p.attributes) args.push('-A', `${p.index}:set:${bit}`);
  return args;
}

/** The argument vector of writeGpt (sgdisk applies its options in the order given: -o first). */
export function writeGptArgs(disk: string, table: GptTableSpec): string[] {
  const args = ['-o'];
  if (table.diskGuid) args.push('-U', table.diskGuid);
  for (const p of table.partitions) args.push(...partitionArgs(p));
  return [...args, disk];
}

/** Fresh GPT with exactly these partitions (sgdisk -o first, so nothing of an old table survives). */
export async function writeGpt(disk: string, table: GptTableSpec, opts: RunOptions = {}): Promise<void> {
  await run('sgdisk', writeGptArgs(disk, table), { ...opts, okExitCodes: [0] });
}

/**
 * Adds partitions to the existing table, moving the backup GPT to the disk's end first (raw + persistence).
 * Give real partition numbers (see gptSummary's `numbers`), so that each one can be read back by number.
 */
export async function addPartitionsAfterImage(disk: string, parts: readonly GptPartitionSpec[], opts: RunOptions = {}): Promise<void> {
  await run('sgdisk', ['-e', disk], opts);
  await run('sgdisk', [...parts.flatMap(partitionArgs), disk], opts);
}

/** `sgdisk -v`: throws unless it finds the table whole (gptProblems: both headers and entry arrays intact). */
export async function verifyGpt(disk: string, opts: RunOptions = {}): Promise<string> {
  const { stdout, stderr } = await run('sgdisk', ['-v', disk], opts);
  const problems = gptProblems(stdout, stderr);
  if (problems !== null) throw new Error(`sgdisk -v found problems on ${disk}: ${problems}`);
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

export interface GptSummary {
  diskGuid: string;
  /** partition numbers in use, with their first LBA */
  partitions: { index: number; firstLba: number }[];
}

/** Parses `sgdisk -p` output: the disk GUID and the rows of the partition list. */
export function parseGptSummary(text: string): GptSummary {
  const diskGuid = (/^Disk identifier \(GUID\):\s*(\S+)/m.exec(text)?.[1] ?? '').toLowerCase();
  const rows = text.split(/^Number\s+Start.*$/m)[1] ?? '';
  const partitions = [...rows.matchAll(/^\s*(\d+)\s+(\d+)\s+\d+\s/gm)].map((m) => ({ index: Number(m[1]), firstLba: Number(m[2]) }));
  return { diskGuid, partitions };
}

export async function gptSummary(disk: string, opts: RunOptions = {}): Promise<GptSummary> {
  const { stdout } = await run('sgdisk', ['-p', disk], opts);
  return parseGptSummary(stdout);
}

/** The lowest partition number not in use (what sgdisk's "0" would pick for a new partition). */
export function firstFreeNumber(summary: GptSummary): number {
  const used = new Set(summary.partitions.map((p) => p.index));
  let n = 1;
  while (used.has(n)) n++;
  return n;
}

/** A whole table read back in one sgdisk run: verified, its summary, and each asked partition (null: missing). */
export interface GptReadBack {
  summary: GptSummary;
  partitions: Map<number, GptPartitionInfo | null>;
}

/**
 * Parses `sgdisk -v -p -i A -i B … disk`: sgdisk answers the options in order, so the verify report, the
 * summary, then one block per `-i` ("Partition GUID code: …" or "Partition #N does not exist.").
 */
export function parseGptReadBack(text: string, stderr: string, indices: readonly number[], disk = 'the disk'): GptReadBack {
  const problems = gptProblems(text.split(/^Disk .*sectors/m)[0] ?? '', stderr);
  if (problems !== null) throw new Error(`sgdisk -v found problems on ${disk}: ${problems}`);
  const blocks = text.split(/^(?=Partition GUID code:|Partition #\d+ does not exist)/m);
  const head = blocks.shift() ?? '';
  if (blocks.length !== indices.length) throw new Error(`sgdisk gave ${blocks.length} partition reports for ${indices.length} partitions asked on ${disk}`);
  return { summary: parseGptSummary(head), partitions: new Map(indices.map((index, i) => [index, parsePartitionInfo(blocks[i]!)])) };
}

/** `sgdisk -v -p -i …` in one run (each a separate run before: a process and a read of the table each). */
export async function readGptBack(disk: string, indices: readonly number[], opts: RunOptions = {}): Promise<GptReadBack> {
  const { stdout, stderr } = await run('sgdisk', ['-v', '-p', ...indices.flatMap((i) => ['-i', String(i)]), disk], opts);
  return parseGptReadBack(stdout, stderr, indices, disk);
}
