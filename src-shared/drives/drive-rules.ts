// What the UI may do with a drive, decided from the Drive object alone (the helper re-checks with its
// own facts: safety.ts). Blocking issues make a drive unselectable; warnings are shown but allow it.
import type { Drive } from '../contract/domains/drives.ts';
import { formatBytes } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';

export type DriveIssueCode = 'system' | 'read-only' | 'too-small' | 'source' | 'mounted' | 'large' | 'virtual';

export interface DriveIssue {
  code: DriveIssueCode;
  blocking: boolean;
  /** One short sentence for the user. */
  message: string;
}

export interface DriveRuleOptions {
  /** Bytes the chosen image/profile needs; 0 or absent when not known yet. */
  requiredBytes?: number;
  /** Above this size a drive is probably not a USB stick: warn. Default 128 GB (as Etcher). */
  largeBytes?: number;
  /** Device paths holding the image source (a bundle on a stick): never a target. */
  sourceDevices?: string[];
  /** False when the job will not unmount: then a mounted drive is blocked instead of warned about. */
  unmountAllowed?: boolean;
}

export const LARGE_DRIVE_BYTES = 128e9;

export function isSystemDrive(d: Drive): boolean {
  return d.system;
}

export function isTooSmall(d: Drive, requiredBytes = 0): boolean {
  return requiredBytes > 0 && d.sizeBytes < requiredBytes;
}

export function isMounted(d: Drive): boolean {
  return d.mountpoints.length > 0;
}

export function isLarge(d: Drive, largeBytes = LARGE_DRIVE_BYTES): boolean {
  return d.sizeBytes > largeBytes;
}

/** Every issue of a drive, blocking ones first. */
export function driveIssues(d: Drive, opts: DriveRuleOptions = {}): DriveIssue[] {
  const issues: DriveIssue[] = [];
  if (isSystemDrive(d)) issues.push({ code: 'system', blocking: true, message: t('drive.system') });
  if (opts.sourceDevices?.includes(d.device)) {
    issues.push({ code: 'source', blocking: true, message: t('drive.source') });
  }
  if (d.readOnly) issues.push({ code: 'read-only', blocking: true, message: t('drive.readOnly') });
  if (isTooSmall(d, opts.requiredBytes)) {
    issues.push({ code: 'too-small', blocking: true, message: t('drive.tooSmall', { size: formatBytes(opts.requiredBytes ?? 0) }) });
  }
  if (isMounted(d)) {
    const where = d.mountpoints.map((m) => m.path).join(', ');
    issues.push(
      opts.unmountAllowed === false
        ? { code: 'mounted', blocking: true, message: t('drive.mountedBlocked', { where }) }
        : { code: 'mounted', blocking: false, message: t('drive.mountedWarn', { where }) },
    );
  }
  if (isLarge(d, opts.largeBytes)) {
    issues.push({ code: 'large', blocking: false, message: t('drive.large', { size: formatBytes(d.sizeBytes) }) });
  }
  if (d.virtual) issues.push({ code: 'virtual', blocking: false, message: d.backingFile ? t('drive.loop', { file: d.backingFile }) : t('drive.virtual') });
  return issues.sort((a, b) => Number(b.blocking) - Number(a.blocking));
}

export function isDriveSelectable(d: Drive, opts: DriveRuleOptions = {}): boolean {
  return !driveIssues(d, opts).some((i) => i.blocking);
}

/** The first blocking reason, for a disabled checkbox's label; null when the drive can be chosen. */
export function notSelectableReason(d: Drive, opts: DriveRuleOptions = {}): string | null {
  return driveIssues(d, opts).find((i) => i.blocking)?.message ?? null;
}
