// What the A/B slots of a stick are, from its stamp and the names of its boot entries (the Boot Loader
// Specification's boot counting: systemd-boot renames iios-b+3.conf to iios-b+2-1.conf at each try, the booted
// system blesses it to iios-b.conf, and an entry with no tries left, iios-b+0-3.conf, is skipped). The stamp says
// what iios wrote; the entry names say what happened since, so both are read.
export type SlotState = 'active' | 'pending' | 'bad';

export interface EntryName {
  slot: string;
  triesLeft: number | null;
  triesDone: number | null;
}

/** `iios-b+2-1.conf` → slot b, 2 tries left, 1 done; `iios-a.conf` → slot a, blessed (no counter). */
export function parseEntryName(name: string): EntryName | null {
  const m = /^iios-([a-z]+)(?:\+(\d+)(?:-(\d+))?)?\.conf$/.exec(name);
  if (!m) return null;
  return { slot: m[1]!, triesLeft: m[2] === undefined ? null : Number(m[2]), triesDone: m[3] === undefined ? null : Number(m[3]) };
}

export interface StampSlot {
  bundle: string;
  version: string;
  state?: SlotState | undefined;
}

export interface SlotView {
  slot: string;
  bundle: string | null;
  version: string | null;
  state: SlotState | 'incomplete' | 'fallback';
  /** the boot entry's file name, or null when the slot has none */
  entry: string | null;
}

/**
 * The slots as they stand: a pending slot whose entry was blessed is active (and the other slot its fallback);
 * one with no tries left is bad. Slots in the stamp's `update` (an update that did not finish) are incomplete.
 */
export function slotViews(stamp: { slots: Record<string, StampSlot>; update?: { slot: string; version: string } | undefined }, entries: string[], abSlots: string[]): SlotView[] {
  const byslot = new Map<string, string>();
  for (const e of entries) {
    const p = parseEntryName(e);
    if (p) byslot.set(p.slot, e);
  }
  const views: SlotView[] = abSlots.map((slot) => {
    const s = stamp.slots[slot];
    const entry = byslot.get(slot) ?? null;
    const parsed = entry ? parseEntryName(entry) : null;
    if (stamp.update?.slot === slot || !s) return { slot, bundle: s?.bundle ?? null, version: s?.version ?? null, state: 'incomplete', entry };
    let state: SlotView['state'] = s.state ?? 'active';
    if (parsed?.triesLeft === 0 || state === 'bad') state = 'bad';
    else if (state === 'pending' && parsed && parsed.triesLeft === null) state = 'active';
    return { slot, bundle: s.bundle, version: s.version, state, entry };
  });
  // Two active slots: the one a pending update made and its system blessed wins; the older one is the fallback.
  const active = views.filter((v) => v.state === 'active');
  if (active.length > 1) {
    const blessedPending = active.find((v) => stamp.slots[v.slot]?.state === 'pending');
    for (const v of active) if (v !== (blessedPending ?? active[0])) v.state = 'fallback';
  }
  return views;
}

/** The slot the running system is on (a new update goes into the other one). */
export function activeSlot(views: SlotView[]): string | null {
  return views.find((v) => v.state === 'active')?.slot ?? views.find((v) => v.state === 'fallback')?.slot ?? null;
}

/** One line for `iios inspect`: what the slots are, and what an unfinished update left. */
export function describeSlots(views: SlotView[], update: { slot: string; version: string } | undefined): string[] {
  const out: string[] = [];
  const active = activeSlot(views);
  if (update) out.push(`update to ${update.version} interrupted: slot ${update.slot.toUpperCase()} incomplete, ${active ? `${active.toUpperCase()} active` : 'no slot active'}`);
  for (const v of views) {
    if (v.state === 'pending') out.push(`slot ${v.slot.toUpperCase()}: ${v.version} pending (will boot next, ${triesText(v.entry)})`);
    if (v.state === 'bad') out.push(`slot ${v.slot.toUpperCase()}: ${v.version} bad (failed to boot; the stick boots ${active ? active.toUpperCase() : 'nothing else'})`);
  }
  return out;
}

function triesText(entry: string | null): string {
  const p = entry ? parseEntryName(entry) : null;
  return p?.triesLeft != null ? `${p.triesLeft} tries left` : 'no boot entry';
}

/**
 * Where a boot entry the stamp lists is now: systemd-boot counts its tries and the booted system blesses it by
 * renaming (`iios-b+3.conf` → `iios-b+2-1.conf` → `iios-b.conf`), with the content unchanged.
 */
export function currentEntryPath(path: string, names: readonly string[]): string {
  const m = /^\/loader\/entries\/([^/]+)$/.exec(path);
  const wanted = m ? parseEntryName(m[1]!) : null;
  if (!wanted || names.includes(m![1]!)) return path;
  const now = names.find((n) => parseEntryName(n)?.slot === wanted.slot);
  return now ? `/loader/entries/${now}` : path;
}

/**
 * The system an update from this stick takes (`iios update --from-stick`): its most recently written slot that
 * is not bad (the higher version when neither says when it was written).
 */
export function newestGoodSlot<T extends { bundle: string; version: string; state?: SlotState | undefined; writtenAt?: string | undefined }>(slots: Record<string, T>): T | null {
  const good = Object.values(slots).filter((s) => s.state !== 'bad');
  good.sort((x, y) => (y.writtenAt ?? '').localeCompare(x.writtenAt ?? '') || y.version.localeCompare(x.version, undefined, { numeric: true }));
  return good[0] ?? null;
}
