// Pure parsing of what the OS reports about block devices into the contract's Drive objects:
// drivelist's entries (physical disks), plus loop devices from `lsblk --json -b -O --paths` and
// `losetup --list --json` (drivelist leaves loops out; iios writes to them in tests and for image files).
import * as z from 'zod';
import type { Drive } from '../contract/domains/drives.ts';

/** The fields of a drivelist entry that iios uses (drivelist's own type lives in a Node-only package). */
export interface DrivelistEntry {
  device: string;
  devicePath: string | null;
  description: string;
  size: number | null;
  blockSize: number;
  logicalBlockSize: number;
  busType: string;
  mountpoints: { path: string; label?: string | null }[];
  isReadOnly: boolean;
  isSystem: boolean;
  isVirtual: boolean | null;
  isRemovable: boolean;
  isCard: boolean | null;
  isUSB: boolean | null;
  partitionTableType: 'gpt' | 'mbr' | null;
}

const flag = z.union([z.boolean(), z.string(), z.number()]).nullish().transform((v) => v === true || v === '1' || v === 1);
const num = z.union([z.number(), z.string()]).nullish().transform((v) => (v == null || v === '' ? 0 : Number(v)));

export interface LsblkDevice {
  name: string;
  type: string;
  size: number;
  ro: boolean;
  rm: boolean;
  tran: string | null;
  logSec: number;
  phySec: number;
  pttype: string | null;
  label: string | null;
  partlabel: string | null;
  mountpoints: string[];
  children: LsblkDevice[];
  /** e.g. "block:scsi:usb:pci", "block:virtio:pci" (absent in hand-made objects). */
  subsystems?: string | null;
  vendor?: string | null;
  model?: string | null;
  serial?: string | null;
}

const LsblkRaw: z.ZodType<unknown> = z.lazy(() =>
  z.object({
    name: z.string(),
    type: z.string().nullish(),
    size: num,
    ro: flag,
    rm: flag,
    tran: z.string().nullish(),
    'log-sec': num,
    'phy-sec': num,
    pttype: z.string().nullish(),
    label: z.string().nullish(),
    partlabel: z.string().nullish(),
    subsystems: z.string().nullish(),
    vendor: z.string().nullish(),
    model: z.string().nullish(),
    serial: z.string().nullish(),
    mountpoint: z.string().nullish(),
    mountpoints: z.array(z.string().nullable()).nullish(),
    children: z.array(LsblkRaw).nullish(),
  }),
);

function toDevice(raw: unknown): LsblkDevice {
  const r = LsblkRaw.parse(raw) as Record<string, unknown> & { children?: unknown[] | null };
  const mounts = [
    ...((r.mountpoints as (string | null)[] | null | undefined) ?? []),
    (r.mountpoint as string | null | undefined) ?? null,
  ].filter((m): m is string => typeof m === 'string' && m.length > 0);
  const name = String(r.name);
  return {
    name: name.startsWith('/') ? name : `/dev/${name}`,
    type: (r.type as string | null | undefined) ?? '',
    size: r.size as number,
    ro: r.ro as boolean,
    rm: r.rm as boolean,
    tran: (r.tran as string | null | undefined) ?? null,
    logSec: (r['log-sec'] as number) || 512,
    phySec: (r['phy-sec'] as number) || 512,
    pttype: (r.pttype as string | null | undefined) ?? null,
    label: (r.label as string | null | undefined) ?? null,
    partlabel: (r.partlabel as string | null | undefined) ?? null,
    mountpoints: [...new Set(mounts)],
    children: (r.children ?? []).map(toDevice),
    subsystems: (r.subsystems as string | null | undefined) ?? null,
    vendor: trimmed(r.vendor),
    model: trimmed(r.model),
    serial: trimmed(r.serial),
  };
}

/** lsblk pads VENDOR to 8 characters ("Generic "); an empty field is no information. */
function trimmed(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

/** Parses the JSON text (or object) printed by `lsblk --json -b -O --paths`. */
export function parseLsblk(json: string | unknown): LsblkDevice[] {
  const data = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
  const top = z.object({ blockdevices: z.array(z.unknown()) }).parse(data);
  return top.blockdevices.map(toDevice);
}

/** Parses `losetup --list --json` into a map device -> backing file. */
export function parseLosetup(json: string | unknown): Map<string, string> {
  const data = typeof json === 'string' ? (json.trim() ? (JSON.parse(json) as unknown) : { loopdevices: [] }) : json;
  const parsed = z
    .object({ loopdevices: z.array(z.object({ name: z.string(), 'back-file': z.string().nullish() })) })
    .parse(data);
  const map = new Map<string, string>();
  for (const l of parsed.loopdevices) if (l['back-file']) map.set(l.name, l['back-file'].replace(/ \(deleted\)$/, ''));
  return map;
}

/** Mount points that mean "the running system lives here". */
export const SYSTEM_MOUNTPOINTS = ['/', '/boot', '/boot/efi', '/efi', '/usr', '/var', '/home', '[SWAP]'];

function allMountpoints(dev: LsblkDevice): string[] {
  return [...dev.mountpoints, ...dev.children.flatMap(allMountpoints)];
}

/** Device paths of top-level devices that hold (in themselves or any child) a system mount point. */
export function systemDevices(devices: LsblkDevice[]): Set<string> {
  return new Set(devices.filter((d) => allMountpoints(d).some((m) => SYSTEM_MOUNTPOINTS.includes(m))).map((d) => d.name));
}

/** Devices that are never a target: compressed RAM swap, RAM disks, optical drives, zero-sized nodes. */
export function isIgnoredDevice(device: string, sizeBytes: number): boolean {
  return sizeBytes <= 0 || /^\/dev\/(zram|ram|sr)\d+$/.test(device);
}

function labelOf(dev: LsblkDevice): string | null {
  return dev.label ?? dev.partlabel;
}

function mountsOf(dev: LsblkDevice): Drive['mountpoints'] {
  const own = dev.mountpoints.map((path) => ({ path, label: labelOf(dev) }));
  return [...own, ...dev.children.flatMap(mountsOf)];
}

/**
 * drivelist builds the description from label, vendor and model; a virtio disk has only a PCI vendor id
 * ("0x1af4"), which tells a user nothing.
 */
function describe(d: DrivelistEntry, lsblk?: LsblkDevice): string {
  const text = d.description.trim();
  if (text && !/^0x[0-9a-f]+$/i.test(text)) return text;
  if (lsblk?.subsystems?.split(':').includes('virtio')) return 'Virtio disk';
  return d.isUSB ? 'USB drive' : 'Disk';
}

export function driveFromDrivelist(d: DrivelistEntry, lsblk?: LsblkDevice): Drive {
  const mountpoints = lsblk
    ? mountsOf(lsblk)
    : d.mountpoints.map((m) => ({ path: m.path, label: m.label ?? null }));
  return {
    id: d.device,
    device: d.device,
    devicePath: d.devicePath,
    description: describe(d, lsblk),
    sizeBytes: d.size ?? 0,
    logicalBlockSize: d.logicalBlockSize || 512,
    physicalBlockSize: d.blockSize || 512,
    busType: d.busType || 'UNKNOWN',
    removable: d.isRemovable,
    readOnly: d.isReadOnly,
    system: d.isSystem,
    virtual: d.isVirtual === true,
    usb: d.isUSB === true,
    card: d.isCard === true,
    backingFile: null,
    mountpoints,
    partitionTableType: d.partitionTableType,
    vendor: lsblk?.vendor ?? null,
    model: lsblk?.model ?? null,
    serial: lsblk?.serial ?? null,
  };
}

export function driveFromLoop(dev: LsblkDevice, backingFile: string | null): Drive {
  const file = backingFile ? backingFile.split('/').pop() : null;
  return {
    id: dev.name,
    device: dev.name,
    devicePath: null,
    description: file ? `Loop device (${file})` : 'Loop device',
    sizeBytes: dev.size,
    logicalBlockSize: dev.logSec,
    physicalBlockSize: dev.phySec,
    busType: 'LOOP',
    removable: true,
    readOnly: dev.ro,
    system: false,
    virtual: true,
    usb: false,
    card: false,
    backingFile,
    mountpoints: mountsOf(dev),
    partitionTableType: dev.pttype === 'gpt' ? 'gpt' : dev.pttype === 'dos' ? 'mbr' : null,
  };
}

/**
 * The drive list iios shows: drivelist's drives and attached loop devices, with the system disk marked
 * (drivelist guesses "system" from internal/removable; iios also marks whatever holds /, /boot, swap…),
 * ignored devices left out, sorted by device path.
 */
export function buildDriveList(drivelist: DrivelistEntry[], lsblk: LsblkDevice[], loopFiles: Map<string, string>): Drive[] {
  const byName = new Map(lsblk.map((d) => [d.name, d]));
  const system = systemDevices(lsblk);
  const drives: Drive[] = [];
  for (const d of drivelist) {
    const drive = driveFromDrivelist(d, byName.get(d.device));
    if (isIgnoredDevice(drive.device, drive.sizeBytes)) continue;
    drives.push({ ...drive, system: drive.system || system.has(drive.device) });
  }
  const seen = new Set(drives.map((d) => d.device));
  for (const dev of lsblk) {
    if (dev.type !== 'loop' || seen.has(dev.name) || isIgnoredDevice(dev.name, dev.size)) continue;
    const drive = driveFromLoop(dev, loopFiles.get(dev.name) ?? null);
    drives.push({ ...drive, system: system.has(dev.name) });
  }
  return drives.sort((a, b) => a.device.localeCompare(b.device, 'en', { numeric: true }));
}
