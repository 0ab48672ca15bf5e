// What a drive is called in the lists: vendor, model and size ("SanDisk Cruzer Blade, 16 GB"), and what tells
// two identical sticks apart (the end of the serial number, or the USB port), never just /dev/sdb.
import type { Drive } from '../contract/domains/drives.ts';
import { formatBytes } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';
import { placeOf, portText, usbPortOf } from './usb-port.ts';

/**
 * "SanDisk Cruzer Blade": vendor and model, else drivelist's description, else the device. A loop device is named
 * here in the reader's language (the drive service describes it in English).
 */
export function driveMake(d: Pick<Drive, 'busType' | 'backingFile' | 'vendor' | 'model' | 'description' | 'device'>): string {
  if (d.busType === 'LOOP') return d.backingFile ? t('drive.loopName', { file: d.backingFile.split('/').pop()! }) : t('drive.loopNameBare');
  const made = [d.vendor, d.model].filter((x): x is string => !!x).join(' ');
  return made || d.description || d.device;
}

export function driveName(d: Drive): string {
  return `${driveMake(d)}, ${formatBytes(d.sizeBytes)}`;
}

/** The part that tells this drive from a same-looking one: "serial …4F2A", "port 1.4" (or the name the user gave
 * that port), or the loop's file (or its name). */
export function driveDistinction(d: Drive, portNames: Readonly<Record<string, string>> = {}): string {
  const port = usbPortOf(d.devicePath);
  const place = placeOf(d);
  const named = place ? portNames[place.key] : undefined;
  const parts: string[] = [];
  if (port) parts.push(portText(port, portNames));
  else if (named) parts.push(named);
  if (d.serial) parts.push(t('drive.serial', { serial: d.serial.slice(-6) }));
  if (!port && !named && !d.serial && d.backingFile) parts.push(d.backingFile.split('/').pop()!);
  if (parts.length === 0) parts.push(d.device);
  return parts.join(' · ');
}

/** One line for a row or a preview: "SanDisk Cruzer Blade, 16 GB (port 1.4 · serial …4F2A)". */
export function driveLabel(d: Drive, portNames: Readonly<Record<string, string>> = {}): string {
  return `${driveName(d)} (${driveDistinction(d, portNames)})`;
}
