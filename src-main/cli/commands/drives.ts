// `iios drives`: the drives iios sees, as a table (or JSON for machines), with why a drive cannot be chosen.
import { t } from '../../../src-shared/i18n/index.ts';
import type { Command } from '../command.ts';
import { DriveService } from '../../services/drives/drives.ts';
import { EventHub } from '../../services/events.ts';
import { driveIssues } from '../../../src-shared/drives/drive-rules.ts';
import { formatBytes } from '../../../src-shared/format/bytes.ts';
import type { Drive } from '../../../src-shared/contract/index.ts';

function flags(d: Drive): string {
  const out: string[] = [];
  if (d.system) out.push('system');
  if (d.virtual) out.push('virtual');
  if (d.removable) out.push('removable');
  if (d.usb) out.push('usb');
  if (d.readOnly) out.push('read-only');
  if (d.mountpoints.length) out.push(`mounted:${d.mountpoints.map((m) => m.path).join(',')}`);
  return out.join(' ');
}

export function driveTable(drives: Drive[]): string {
  const rows = [
    [t('cli.drives.device'), t('cli.drives.size'), t('cli.drives.bus'), t('cli.drives.description'), t('cli.drives.flags'), t('cli.drives.selectable')],
    ...drives.map((d) => {
      const blocking = driveIssues(d).find((i) => i.blocking);
      return [d.device, formatBytes(d.sizeBytes), d.busType, d.description, flags(d), blocking ? t('cli.drives.no', { reason: blocking.message }) : t('cli.yes')];
    }),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

export const drivesCommand: Command = {
  summary: t('cli.drives.summary'),
  usage: 'iios drives [--json]',
  options: { json: { type: 'boolean' } },
  async run({ values }, io) {
    const drives = await new DriveService(new EventHub()).list();
    io.stdout.write(values.json ? `${JSON.stringify(drives, null, 2)}\n` : `${driveTable(drives)}\n`);
    return 0;
  },
};
