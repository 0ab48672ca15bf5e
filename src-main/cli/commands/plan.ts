// `iios plan`: the exact partition plan of a profile on a target size, as a table or JSON.
import { t } from '../../../src-shared/i18n/index.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseSizeArg, table } from '../format.ts';
import { formatBytes, groupDigits } from '../../../src-shared/format/bytes.ts';
import { TYPE_GUIDS, type PartitionPlan, type RawPlanStep } from '../../../src-shared/layout/index.ts';
import { computePlan, planSummary } from '../../services/sources/plans.ts';
import { slotRoomText } from '../../../src-shared/layout/slot-room-text.ts';
import { planSourceWords } from '../../../src-shared/format/plan-source-words.ts';

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
  if (bytes === null) throw new UsageError(t('cli.plan.notSize', { flag: `--${key}`, text: String(text) }));
  return bytes;
}

/**
 * A raw plan's writer step in the reader's words, from its kind and the plan's own numbers (the step's English
 * description stays in --json).
 */
export function rawStepWords(s: RawPlanStep, plan: PartitionPlan): string {
  const image = plan.partitions.find((p) => p.role === 'raw-image');
  const data = plan.partitions.find((p) => p.role === 'persistence');
  switch (s.step) {
    case 'write-image':
      return t('planStep.writeImage', { bytes: String(image?.sizeBytes ?? 0) });
    case 'relocate-gpt':
      return t('planStep.relocateGpt');
    case 'add-partition':
      if (!data) return s.description;
      return t('planStep.addPartition', { first: String(data.startLba), last: String(data.startLba + data.sizeLba - 1), sectors: String(data.sizeLba) });
    case 'mkfs':
      return t('planStep.mkfs', { fs: data?.filesystem ?? '?' });
  }
}

export function planTable(plan: PartitionPlan): string {
  const rows = [['#', t('cli.inspect.col.name'), t('cli.plan.col.startLba'), t('cli.plan.col.endLba'), t('cli.inspect.col.start'), t('cli.inspect.col.size'), t('cli.inspect.col.type'), 'fs', t('cli.plan.col.flags')]];
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
      p.readOnly ? t('cli.plan.readOnly', { bits: p.attributes.join(',') }) : '',
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
    if (positionals.length) throw new UsageError(`${t('cli.offline.unexpected', { arg: `"${positionals[0]}"` })}\n${t('cli.usageLine', { usage: planCommand.usage })}`);
    const profile = values.profile as string | undefined;
    if (!profile) throw new UsageError(`${t('cli.write.needProfile')}\n${t('cli.usageLine', { usage: planCommand.usage })}`);
    const targetBytes = sizeOption(values, 'size');
    if (targetBytes === undefined) throw new UsageError(`${t('cli.plan.needSize')}\n${t('cli.usageLine', { usage: planCommand.usage })}`);
    const sector = values['sector-size'] === undefined ? 512 : Number(values['sector-size']);
    if (sector !== 512 && sector !== 4096) throw new UsageError(t('cli.plan.sectorSize'));

    const { plan, sourceSaid, profile: loaded } = await computePlan({
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
      t('cli.plan.head', { profile: loaded.id, size: formatBytes(plan.diskBytes), bytes: groupDigits(plan.diskBytes), sector: String(plan.sectorSize) }),
      t('cli.plan.for', { source: planSourceWords(sourceSaid) }),
      t('cli.plan.usable', { first: String(plan.firstUsableLba), last: String(plan.lastUsableLba), need: formatBytes(plan.neededBytes), bytes: groupDigits(plan.neededBytes) }),
      '',
      planTable(plan),
    ];
    if (plan.slotRoom) lines.push('', slotRoomText(plan.slotRoom));
    for (const [i, s] of (plan.rawSteps ?? []).entries()) {
      if (i === 0) lines.push('', t('cli.plan.steps'));
      lines.push(`  ${i + 1}. ${s.step}: ${rawStepWords(s, plan)}${s.argv ? `\n     ${s.argv.join(' ')}` : ''}`);
    }
    io.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
