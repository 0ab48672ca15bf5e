// An iios stick as the update and payload jobs find it: its partitions by role (from the GPT it has now, not a
// plan made again: the slots were sized for the bundle it was written with), its stamp, the names of its boot
// entries, and which A/B slot is in use — the other one is where an update goes.
import type { StickStamp } from '../../src-shared/job/stick-stamp.ts';
import type { PartitionPlan, PartitionRole, PlannedPartition } from '../../src-shared/layout/index.ts';
import { activeSlot, slotViews, type SlotView } from '../../src-shared/stick/slot-state.ts';
import { fatFiles } from '../tools/fat-edit.ts';
import type { GptEntry } from './stick-job.ts';

const ROLE_BY_NAME: Record<string, PartitionRole> = {
  'IIOS-ESP': 'esp',
  'iios-root-a': 'root-a',
  'iios-verity-a': 'verity-a',
  'iios-root-b': 'root-b',
  'iios-verity-b': 'verity-b',
  'iios-system': 'system',
  'iios-payload': 'payload',
  'iios-data': 'data',
};

export function planFromGpt(profileId: string, diskBytes: number, parts: GptEntry[]): PartitionPlan {
  const partitions: PlannedPartition[] = [];
  parts.forEach((p, i) => {
    const role = ROLE_BY_NAME[p.name];
    if (!role) return;
    partitions.push({
      index: i + 1,
      role,
      name: p.name,
      typeGuid: '',
      startLba: p.startBytes / 512,
      sizeLba: p.sizeBytes / 512,
      startBytes: p.startBytes,
      sizeBytes: p.sizeBytes,
      readOnly: role.startsWith('verity'),
      attributes: [],
      filesystem: 'none',
    });
  });
  return { profileId, diskBytes, sectorSize: 512, alignmentBytes: 1 << 20, firstUsableLba: 2048, lastUsableLba: diskBytes / 512 - 34, neededBytes: diskBytes, partitions };
}

export interface AbState {
  views: SlotView[];
  entries: string[];
  /** the slot the stick boots now (kept as the fallback) and the one an update writes */
  active: 'a' | 'b';
  inactive: 'a' | 'b';
}

/** The A/B state from the stamp and the ESP's entry names. */
export async function abState(disk: string, espStart: number, stamp: StickStamp, signal?: AbortSignal): Promise<AbState> {
  const entries = await fatFiles({ disk, offset: espStart }, '/loader/entries', { signal });
  const views = slotViews(stamp, entries, ['a', 'b']);
  const active = (activeSlot(views) ?? 'a') as 'a' | 'b';
  return { views, entries, active, inactive: active === 'a' ? 'b' : 'a' };
}
