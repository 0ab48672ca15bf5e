// The physical USB port a stick is in, read from its /dev/disk/by-path name (udev's path_id:
// `pci-0000:00:14.0-usb-0:1.4:1.0-scsi-0:0:0:0` is port 4 of the hub in port 1 of the root hub on the USB
// controller at PCI 0000:00:14.0). A teacher with a hub of twenty finds the failed stick by its port, and
// writes are spread over root hubs (controllers), which share their bandwidth among their ports.
import { t } from '../i18n/index.ts';

export interface UsbPort {
  /** The USB controller (root hub) the port hangs off: sticks on different ones do not share bandwidth. */
  root: string;
  /** Port chain from the root hub: "1.4" = port 4 of the hub in root port 1. */
  chain: string;
  /** Stable key for a user's name for this port. */
  key: string;
}

const BY_PATH = /(?:^|\/)((?:pci|platform)-[^/]*?)-usb-\d+:([\d.]+):\d+\.\d+/;

export function usbPortOf(devicePath: string | null | undefined): UsbPort | null {
  if (!devicePath) return null;
  const m = BY_PATH.exec(devicePath);
  if (!m) return null;
  const root = m[1]!;
  const chain = m[2]!;
  return { root, chain, key: `${root}/${chain}` };
}

/**
 * Where a drive is plugged in, as a stable key for the name a user gives it (src-main/services/drives/
 * port-labels.ts) and its own words: a USB port ("port 1.4", keyed by controller and chain, so any stick in that
 * port gets the name), else a loop device's backing file (its file name, keyed by the file's path). Null for a
 * drive with neither (an internal disk).
 */
export function placeOf(d: { devicePath?: string | null; backingFile?: string | null }): { key: string; text: string } | null {
  const port = usbPortOf(d.devicePath);
  if (port) return { key: port.key, text: t('drive.port', { chain: port.chain }) };
  if (d.backingFile) return { key: `file:${d.backingFile}`, text: d.backingFile.split('/').pop() || d.backingFile };
  return null;
}

/** The name the user gave a drive's place, else its own words ("port 1.4", the loop's file); null when it has none. */
export function placeText(d: { devicePath?: string | null; backingFile?: string | null }, names: Readonly<Record<string, string>> = {}): string | null {
  const place = placeOf(d);
  return place ? (names[place.key] ?? place.text) : null;
}

/** "port 1.4" — or the name the user gave that port. */
export function portText(port: UsbPort, names: Readonly<Record<string, string>> = {}): string {
  return names[port.key] ?? t('drive.port', { chain: port.chain });
}

/**
 * Orders targets so consecutive ones sit on different root hubs (round-robin over controllers): the writer
 * starts them in this order, so the first writes under way are spread over every controller there is.
 */
export function spreadOverRootHubs<T>(items: readonly T[], portOf: (item: T) => UsbPort | null): T[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const root = portOf(item)?.root ?? '';
    groups.set(root, [...(groups.get(root) ?? []), item]);
  }
  const lists = [...groups.values()];
  const out: T[] = [];
  for (let i = 0; out.length < items.length; i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}
