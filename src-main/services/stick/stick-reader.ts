// Reads a written stick (block device) or disk-image file back without mounting anything: the GPT through
// `sfdisk --json`, the stamp /iios/stick.json from the ESP through mtools at the ESP's byte offset.
// "Made by iios and complete" only when the stamp says `complete: true` (design.md, on-stick format).
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as z from 'zod';
import { fatReadFile, tool } from './stick-tools.ts';
import { zodFieldIssues } from '../../../src-shared/contract/error-details.ts';
import type { StickReadProblem } from '../../../src-shared/stick/stick-read-problem.ts';

export const STAMP_PATH = '/iios/stick.json';

export interface StickPartition {
  index: number;
  name: string;
  typeGuid: string;
  uuid: string;
  startLba: number;
  sizeLba: number;
  startBytes: number;
  sizeBytes: number;
  attributes: number[];
}

export interface StickLayout {
  label: string;
  diskGuid: string;
  sectorSize: number;
  firstUsableLba: number;
  lastUsableLba: number;
  partitions: StickPartition[];
}

const SlotStamp = z.looseObject({
  bundle: z.string().optional(),
  version: z.string().optional(),
  rootHash: z.string().nullable().optional(),
  rootfsSha256: z.string().nullable().optional(),
  rootfsBytes: z.number().nullable().optional(),
});
export type SlotStamp = z.infer<typeof SlotStamp>;

export const StickStamp = z.looseObject({
  format: z.number(),
  complete: z.boolean(),
  hostname: z.string().optional(),
  profile: z.string().optional(),
  tool: z.looseObject({ name: z.string(), version: z.string() }).optional(),
  createdAt: z.string().optional(),
  diskBytes: z.number().optional(),
  sectorSize: z.number().optional(),
  slots: z.record(z.string(), SlotStamp).default({}),
  caches: z.array(z.looseObject({ kind: z.string(), files: z.number(), sizeBytes: z.number(), manifestSha256: z.string(), set: z.string().optional(), builtAt: z.string().optional() })).default([]),
  payload: z.array(z.looseObject({ path: z.string(), sha256: z.string(), sizeBytes: z.number() })).default([]),
  espFiles: z.record(z.string(), z.string()).default({}),
});
export type StickStamp = z.infer<typeof StickStamp>;

export interface StickInfo {
  path: string;
  kind: 'device' | 'image-file';
  sizeBytes: number;
  layout: StickLayout | null;
  /** Why there is no layout, when there is none. */
  layoutError: string | null;
  esp: StickPartition | null;
  stamp: StickStamp | null;
  stampError: string | null;
  /** Why there is no layout or no stamp, typed (layoutError and stampError say it in English, for --json and logs). */
  readProblem: StickReadProblem | null;
  /** Made by iios, and the stamp says the write finished. */
  complete: boolean;
}

/**
 * A block device's size from /sys/class/block/<dev>/size (512-byte sectors, whatever the device's own sector
 * size): readable by every user, where `blockdev --getsize64` must open the device and so needs root. null when
 * sysfs does not have it (then blockdev is asked).
 */
export async function sysfsDeviceBytes(path: string, sysBlock = '/sys/class/block'): Promise<number | null> {
  try {
    const name = basename(await realpath(path));
    const text = (await readFile(`${sysBlock}/${name}/size`, 'utf8')).trim();
    return /^\d+$/.test(text) ? Number(text) * 512 : null;
  } catch {
    return null;
  }
}

/** Size of a block device or image file, and which of the two it is. */
export async function targetSize(path: string): Promise<{ kind: 'device' | 'image-file'; sizeBytes: number }> {
  const st = await stat(path);
  if (st.isBlockDevice()) {
    const fromSysfs = await sysfsDeviceBytes(path);
    if (fromSysfs !== null) return { kind: 'device', sizeBytes: fromSysfs };
    const { stdout } = await tool('blockdev', ['--getsize64', path]);
    return { kind: 'device', sizeBytes: Number(stdout.trim()) };
  }
  if (!st.isFile()) throw new Error(`${path} is neither a block device nor a disk-image file`);
  return { kind: 'image-file', sizeBytes: st.size };
}

interface SfdiskJson {
  partitiontable: {
    label: string;
    id: string;
    device: string;
    firstlba?: number;
    lastlba?: number;
    sectorsize?: number;
    partitions?: { node: string; start: number; size: number; type: string; uuid?: string; name?: string; attrs?: string }[];
  };
}

/** Parses `sfdisk --json` output (pure; table-tested). */
export function parseSfdiskJson(text: string): StickLayout {
  const t = (JSON.parse(text) as SfdiskJson).partitiontable;
  const sectorSize = t.sectorsize ?? 512;
  const partitions = (t.partitions ?? []).map((p): StickPartition => {
    const suffix = p.node.startsWith(t.device) ? p.node.slice(t.device.length) : p.node;
    const index = Number(/(\d+)$/.exec(suffix)?.[1] ?? NaN);
    return {
      index,
      name: p.name ?? '',
      typeGuid: p.type.toLowerCase(),
      uuid: (p.uuid ?? '').toLowerCase(),
      startLba: p.start,
      sizeLba: p.size,
      startBytes: p.start * sectorSize,
      sizeBytes: p.size * sectorSize,
      attributes: parseAttrs(p.attrs),
    };
  });
  return {
    label: t.label,
    diskGuid: t.id.toLowerCase(),
    sectorSize,
    firstUsableLba: t.firstlba ?? 0,
    lastUsableLba: t.lastlba ?? 0,
    partitions,
  };
}

/** sfdisk's attrs string, e.g. "RequiredPartition GUID:60,63" → [0, 60, 63]. */
export function parseAttrs(attrs: string | undefined): number[] {
  if (!attrs) return [];
  const bits = new Set<number>();
  for (const word of attrs.split(/\s+/)) {
    if (word === 'RequiredPartition') bits.add(0);
    else if (word === 'NoBlockIOProtocol') bits.add(1);
    else if (word === 'LegacyBIOSBootable') bits.add(2);
    else if (word.startsWith('GUID:')) for (const n of word.slice(5).split(',')) bits.add(Number(n));
  }
  return [...bits].sort((a, b) => a - b);
}

export function partitionByName(layout: StickLayout | null, name: string): StickPartition | null {
  return layout?.partitions.find((p) => p.name === name) ?? null;
}

/** Reads the layout and the stamp. Never throws for a stick that is blank, foreign or half-written. */
export async function readStick(path: string, opts: { signal?: AbortSignal } = {}): Promise<StickInfo> {
  const { kind, sizeBytes } = await targetSize(path);
  const info: StickInfo = { path, kind, sizeBytes, layout: null, layoutError: null, esp: null, stamp: null, stampError: null, readProblem: null, complete: false };
  try {
    const { stdout } = await tool('sfdisk', ['--json', path], opts);
    info.layout = parseSfdiskJson(stdout);
  } catch (err) {
    info.layoutError = `no partition table: ${(err as Error).message}`;
    info.readProblem = { reason: 'no-table' };
    return info;
  }
  info.esp = partitionByName(info.layout, 'IIOS-ESP');
  if (!info.esp) {
    info.stampError = 'no IIOS-ESP partition: not a stick made by iios';
    info.readProblem = { reason: 'no-esp' };
    return info;
  }
  let raw: Buffer;
  try {
    raw = await fatReadFile(path, info.esp.startBytes, STAMP_PATH, opts);
  } catch (err) {
    info.stampError = `no stamp ${STAMP_PATH} on the ESP: ${(err as Error).message}`;
    info.readProblem = { reason: 'no-stamp', file: STAMP_PATH };
    return info;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    info.stampError = `unreadable stamp: ${(err as Error).message.split('\n')[0]}`;
    info.readProblem = { reason: 'stamp-not-json', file: STAMP_PATH };
    return info;
  }
  const parsed = StickStamp.safeParse(json);
  if (!parsed.success) {
    info.stampError = `unreadable stamp: ${parsed.error.message.split('\n')[0]}`;
    info.readProblem = { reason: 'stamp-invalid', file: STAMP_PATH, issue: zodFieldIssues(parsed.error)[0]! };
    return info;
  }
  info.stamp = parsed.data;
  info.complete = info.stamp.complete === true;
  return info;
}
