// A stick (or an image file saved from one) read back as a clone's source, read-only: the layout and the stamp
// (stick-reader.ts). A complete iios stick is cloned with the profile it carries; anything else is cloned raw,
// up to the end of its last partition, so that is the size a raw clone's targets need.
import type { StickAb, StickSource } from '../../../src-shared/contract/domains/sticks.ts';
import { formatBytes } from '../../../src-shared/format/bytes.ts';
import { activeSlot, newestGoodSlot, type SlotState } from '../../../src-shared/stick/slot-state.ts';
import { readStick, type StickInfo } from './stick-reader.ts';
import { readSlotViews } from './stick-slots.ts';

/** The A/B slots as `iios inspect` shows them, with the partitions' sizes an update must fit in. */
async function abOf(info: StickInfo): Promise<StickAb | null> {
  const read = await readSlotViews(info).catch(() => null);
  if (!read || !info.layout || !info.stamp) return null;
  const bytesOf = (name: string) => info.layout!.partitions.find((p) => p.name === name)?.sizeBytes ?? 0;
  const stampSlots = info.stamp.slots;
  const slots = read.views
    .filter((v): v is typeof v & { slot: 'a' | 'b' } => v.slot === 'a' || v.slot === 'b')
    .map((v) => ({
      slot: v.slot,
      bundle: v.bundle,
      version: v.version,
      state: v.state,
      rootBytes: bytesOf(`iios-root-${v.slot}`),
      verityBytes: bytesOf(`iios-verity-${v.slot}`),
      rootfsBytes: stampSlots[v.slot]?.rootfsBytes ?? null,
    }));
  const active = (activeSlot(read.views) ?? 'a') as 'a' | 'b';
  const good = Object.fromEntries(
    Object.entries(stampSlots)
      .filter(([k, v]) => typeof v.bundle === 'string' && typeof v.version === 'string' && read.update?.slot !== k)
      .map(([k, v]) => [k, { bundle: v.bundle!, version: v.version!, state: v.state as SlotState | undefined, writtenAt: v.writtenAt as string | undefined, rootfsBytes: v.rootfsBytes ?? 0 }]),
  );
  const newest = newestGoodSlot(good);
  return {
    slots,
    active,
    inactive: active === 'a' ? 'b' : 'a',
    interrupted: read.update ? { slot: read.update.slot, version: read.update.version } : null,
    newest: newest ? { bundle: newest.bundle, version: newest.version, rootfsBytes: newest.rootfsBytes } : null,
  };
}

export async function inspectStickSource(path: string): Promise<StickSource> {
  const info = await readStick(path).catch((err: Error) => {
    throw new Error(`${path} cannot be read as a clone's source: ${err.message}`);
  });
  const partitions = (info.layout?.partitions ?? []).map((p) => ({ index: p.index, name: p.name, startBytes: p.startBytes, sizeBytes: p.sizeBytes }));
  const lastEnd = Math.max(0, ...partitions.map((p) => p.startBytes + p.sizeBytes));
  // A GPT keeps its backup table in the last 33 sectors: the used extent of a disk with a table ends with it.
  const usedBytes = info.layout ? Math.min(info.sizeBytes, lastEnd + (info.layout.label === 'gpt' ? 33 * info.layout.sectorSize : 0)) : info.sizeBytes;
  const stamp = info.complete ? info.stamp : null;
  if (stamp) {
    const from = (stamp as { clonedFrom?: { name?: unknown; stampSha256?: unknown } }).clonedFrom;
    const clonedFrom = typeof from?.name === 'string' && typeof from.stampSha256 === 'string' ? { name: from.name, stampSha256: from.stampSha256 } : null;
    return {
      path,
      kind: info.kind,
      sizeBytes: info.sizeBytes,
      iios: { hostname: stamp.hostname ?? '?', profile: stamp.profile ?? '?', createdAt: stamp.createdAt ?? null, clonedFrom },
      ab: await abOf(info),
      payload: info.layout?.partitions.some((p) => p.name === 'iios-payload')
        ? { sizeBytes: info.layout.partitions.find((p) => p.name === 'iios-payload')!.sizeBytes, files: stamp.payload.map((p) => ({ path: p.path, sizeBytes: p.sizeBytes })) }
        : null,
      usedBytes,
      partitions,
      note: `an iios stick: each clone is laid out for its own size with the ${stamp.profile ?? '?'} profile it carries`,
    };
  }
  // A stick iios began but never finished is not a source to copy: its content is not known to be whole.
  if (info.esp && info.stamp && !info.complete) throw new Error(`${path} is an iios stick whose write never finished: write it again before cloning it`);
  return {
    path,
    kind: info.kind,
    sizeBytes: info.sizeBytes,
    iios: null,
    usedBytes,
    partitions,
    note: `not an iios stick: raw clone, ${formatBytes(usedBytes)} used; each target needs at least that much`,
  };
}
