// The A/B slots of a stick for `iios inspect` and the app: the stamp's slots with the states the boot entries'
// names tell since (blessed, tries left, bad), read from the ESP with mtools.
import { slotViews, type SlotView } from '../../../src-shared/stick/slot-state.ts';
import type { StickInfo } from './stick-reader.ts';
import { tool } from './stick-tools.ts';

export async function espEntryNames(path: string, espStart: number): Promise<string[]> {
  const r = await tool('mdir', ['-b', '-i', `${path}@@${espStart}`, '::/loader/entries'], { env: { MTOOLS_SKIP_CHECK: '1' }, okExitCodes: [0, 1] }).catch(() => null);
  if (!r) return [];
  return r.stdout
    .split('\n')
    .map((l: string) => l.trim())
    .filter((l: string) => l.startsWith('::') && l.endsWith('.conf'))
    .map((l: string) => l.slice(l.lastIndexOf('/') + 1));
}

/** null for a stick without A/B slots (or without a stamp). */
export async function readSlotViews(info: StickInfo): Promise<{ views: SlotView[]; update: { slot: string; version: string } | undefined } | null> {
  if (!info.stamp || !info.esp || !info.layout?.partitions.some((p) => p.name === 'iios-root-b')) return null;
  const entries = await espEntryNames(info.path, info.esp.startBytes);
  const stamp = info.stamp as unknown as Parameters<typeof slotViews>[0];
  return { views: slotViews(stamp, entries, ['a', 'b']), update: stamp.update };
}
