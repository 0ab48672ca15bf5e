// `iios plan`: the exact partition plan of a profile on a target size, as a table or JSON.
import { t } from '../../../src-shared/i18n/index.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseSizeArg, table } from '../format.ts';
import { formatBytes, groupDigits } from '../../../src-shared/format/bytes.ts';
import { TYPE_GUIDS, type PartitionPlan } from '../../../src-shared/layout/index.ts';
import { computePlan, planSummary } from '../../services/sources/plans.ts';
import { slotRoomText } from '../../../src-shared/layout/slot-room-text.ts';

const TYPE_NAMES: Record<string, string> = {
  [TYPE_GUIDS.esp]: 'esp',
  [TYPE_GUIDS.linuxData]: 'linux-data',
  [TYPE_GUIDS.root.x86_64]: 'root-x86-64',
  [TYPE_GUIDS.root.aarch64]: 'root-arm64',
  [TYPE_GUIDS.rootVerity.x86_64]: 'root-verity-x86-64',
  [TYPE_GUIDS.rootVerity.aarch64]: 'root-verity-arm64',
  [TYPE_GUIDS.none]: '(image)',
};

function sizeOption(values: Record<string, unknown>, key: string): number | undefined {
  const text = values[key];
  if (text === undefined) return undefined;
  const bytes = parseSizeArg(String(text));
  if (bytes === null) throw new UsageError(`--${key}: "${String(text)}" is not a size (e.g. 16G, 7.5G, 512M)`);
  return bytes;
}

export function planTable(plan: PartitionPlan): string {
  const rows = [['#', 'name', 'start LBA', 'end LBA', 'start', 'size', 'type', 'fs', 'flags']];
  for (const p of plan.partitions) {
    rows.push([
      p.index === 0 ? '-' : String(p.index),
      p.name,
      String(p.startLba),
      String(p.startLba + p.sizeLba - 1),
      formatBytes(p.startBytes),
      formatBytes(p.sizeBytes),
      TYPE_NAMES[p.typeGuid] ?? p.typeGuid,
      p.filesystem,
      p.readOnly ? `read-only (bit ${p.attributes.join(',')})` : '',
    ]);
  }
  return table(rows);
}

export const planCommand: Command = {
  summary: t('cli.plan.summary'),
  usage:
    'iios plan --profile P [--bundle DIR | --rootfs-size SIZE | --image FILE | --image-size SIZE] --size 16G ' +
    '[--sector-size 512|4096] [--persistence] [--json]',
  options: {
    profile: { type: 'string' },
    bundle: { type: 'string' },
    'rootfs-size': { type: 'string' },
    image: { type: 'string' },
    'image-size': { type: 'string' },
    size: { type: 'string' },
    'sector-size': { type: 'string' },
    persistence: { type: 'boolean' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals }, io) {
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${planCommand.usage}`);
    const profile = values.profile as string | undefined;
    if (!profile) throw new UsageError(`--profile is required (classroom, appliance, kiosk, raw or a .yaml file)\nusage: ${planCommand.usage}`);
    const targetBytes = sizeOption(values, 'size');
    if (targetBytes === undefined) throw new UsageError(`--size is required (e.g. --size 16G)\nusage: ${planCommand.usage}`);
    const sector = values['sector-size'] === undefined ? 512 : Number(values['sector-size']);
    if (sector !== 512 && sector !== 4096) throw new UsageError(`--sector-size must be 512 or 4096`);

    const { plan, source, profile: loaded } = await computePlan({
      profile,
      targetBytes,
      sectorSize: sector,
      ...(values.bundle !== undefined ? { bundleDir: String(values.bundle) } : {}),
      ...(values['rootfs-size'] !== undefined ? { rootfsSizeBytes: sizeOption(values, 'rootfs-size')! } : {}),
      ...(values.image !== undefined ? { imagePath: String(values.image) } : {}),
      ...(values['image-size'] !== undefined ? { imageBytes: sizeOption(values, 'image-size')! } : {}),
      ...(values.persistence !== undefined ? { persistence: Boolean(values.persistence) } : {}),
      ...(values.seed !== undefined ? { seed: String(values.seed) } : {}),
    });

    if (values.json) {
      io.stdout.write(JSON.stringify(planSummary(plan), null, 2) + '\n');
      return 0;
    }
    const lines = [
      `${loaded.id} profile on ${formatBytes(plan.diskBytes)} (${groupDigits(plan.diskBytes)} bytes), ${plan.sectorSize}-byte sectors`,
      `for ${source}`,
      `usable LBA ${plan.firstUsableLba}..${plan.lastUsableLba}; this profile needs at least ${formatBytes(plan.neededBytes)} (${groupDigits(plan.neededBytes)} bytes)`,
      '',
      planTable(plan),
    ];
    if (plan.slotRoom) lines.push('', slotRoomText(plan.slotRoom));
    for (const [i, s] of (plan.rawSteps ?? []).entries()) {
      if (i === 0) lines.push('', 'writer steps:');
      lines.push(`  ${i + 1}. ${s.step}: ${s.description}${s.argv ? `\n     ${s.argv.join(' ')}` : ''}`);
    }
    io.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
