import type { Command } from '../command.ts';
import { t } from '../../../src-shared/i18n/index.ts';
import { UsageError } from '../command.ts';
import { table } from '../format.ts';
import { stickReadWords } from '../../../src-shared/errors/stick-read-words.ts';
import { formatBytes } from '../../../src-shared/format/bytes.ts';
import { readStick, type StickInfo } from '../../services/stick/stick-reader.ts';
import { repairReasons } from '../../services/stick/stick-repair-check.ts';
import { readSlotViews } from '../../services/stick/stick-slots.ts';
import { describeSlots, type SlotView } from '../../../src-shared/stick/slot-state.ts';

export function describeStick(info: StickInfo, ab: { views: SlotView[]; update: { slot: string; version: string } | undefined } | null = null): string {
  const out: string[] = [];
  out.push(t(info.kind === 'device' ? 'cli.inspect.device' : 'cli.inspect.imageFile', { path: info.path, size: formatBytes(info.sizeBytes), bytes: String(info.sizeBytes) }));
  if (!info.layout) {
    out.push(info.readProblem ? stickReadWords(info.readProblem) : t('cli.write.noTable'));
    return out.join('\n');
  }
  out.push(t('cli.inspect.table', { label: info.layout.label, sector: String(info.layout.sectorSize), count: info.layout.partitions.length }));
  out.push(
    table([
      ['#', t('cli.inspect.col.name'), t('cli.inspect.col.start'), t('cli.inspect.col.size'), t('cli.inspect.col.type'), t('cli.inspect.col.attrs')],
      ...info.layout.partitions.map((p) => [
        String(p.index),
        p.name || '-',
        `${p.startLba}`,
        formatBytes(p.sizeBytes),
        p.typeGuid,
        p.attributes.join(',') || '-',
      ]),
    ]),
  );
  const s = info.stamp;
  if (!s && !info.esp) {
    // No IIOS-ESP: a disk image written as it is (raw profile), or a stick iios did not write at all.
    out.push(t('cli.inspect.raw'));
    if (info.layout.partitions.some((p) => p.name === 'iios-data')) out.push(t('cli.inspect.rawPersistence'));
    out.push(t('cli.inspect.rawStatus', { path: info.path }));
    return out.join('\n');
  }
  if (!s) {
    out.push(info.readProblem ? t('cli.inspect.noStampWhy', { why: stickReadWords(info.readProblem) }) : t('cli.inspect.noStamp'));
    out.push(t('cli.inspect.noStampStatus'));
    return out.join('\n');
  }
  out.push(t('cli.inspect.stamp', { profile: s.profile ?? '?', hostname: s.hostname ?? '?', when: s.createdAt ?? '?', tool: s.tool ? `${s.tool.name} ${s.tool.version}` : '?' }));
  const slots = Object.entries(s.slots);
  if (slots.length) {
    const state = (name: string) => ab?.views.find((v) => v.slot === name)?.state ?? '-';
    out.push(
      table([
        [t('cli.inspect.col.slot'), t('cli.inspect.col.bundle'), t('cli.inspect.col.version'), t('cli.inspect.col.rootHash'), ...(ab ? [t('cli.inspect.col.state')] : [])],
        ...slots.map(([name, v]) => [name, v.bundle ?? '?', v.version ?? '?', v.rootHash ? `${v.rootHash.slice(0, 16)}…` : '-', ...(ab ? [state(name)] : [])]),
      ]),
    );
  }
  if (ab) out.push(...describeSlots(ab.views, ab.update));
  if (s.payload.length) out.push(t('cli.inspect.payload', { list: s.payload.map((p) => `${p.path} (${formatBytes(p.sizeBytes)})`).join(', ') }));
  if (s.caches.length) {
    out.push(t('cli.inspect.cacheList', { list: s.caches.map((c) => t('cli.inspect.cacheItem', { kind: c.kind, count: c.files, size: formatBytes(c.sizeBytes) })).join(', ') }));
    out.push(
      table([
        [t('cli.inspect.cache'), t('cli.caches.set'), t('cli.caches.files'), t('cli.caches.size'), t('cli.caches.built')],
        ...s.caches.map((c) => [c.kind, c.set ?? '-', String(c.files), formatBytes(c.sizeBytes), c.builtAt ?? '-']),
      ]),
    );
  }
  out.push(info.complete ? t('cli.inspect.complete') : t('cli.inspect.incomplete'));
  return out.join('\n');
}

export const inspectCommand: Command = {
  summary: t('cli.inspect.summary'),
  usage: 'iios inspect TARGET [--json]',
  options: { json: { type: 'boolean' } },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError(t('cli.inspect.oneTarget'));
    const info = await readStick(positionals[0]!);
    const repair = await repairReasons(info);
    const ab = await readSlotViews(info);
    if (values.json) io.stdout.write(JSON.stringify({ ...info, needsRepair: repair, ...(ab ? { slotStates: ab.views } : {}) }, null, 2) + '\n');
    else io.stdout.write(describeStick(info, ab) + '\n');
    if (!values.json && repair.length) io.stdout.write(`${t('cli.inspect.needsRepair', { problems: repair.join('; '), path: info.path })}\n`);
    return 0;
  },
};
