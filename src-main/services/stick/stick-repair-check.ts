// Whether a complete stick needs `iios repair`: each A/B slot read back over the bytes its stamp records and
// compared with the sha256 of the bundle it was written from (the bundle the stick stores in @iios/bundles/),
// and the ESP files the stamp lists read back through mtools. A slot with one flipped byte fails verity at boot;
// here it shows before it is booted.
import { createHash } from 'node:crypto';
import type { StickInfo } from './stick-reader.ts';
import { hashRange } from './stick-stamp-checks.ts';
import { fatReadFile } from './stick-tools.ts';
import { espEntryNames } from './stick-slots.ts';
import { currentEntryPath } from '../../../src-shared/stick/slot-state.ts';

export async function repairReasons(info: StickInfo): Promise<string[]> {
  const s = info.stamp;
  if (!s || !info.complete || !info.layout) return [];
  const reasons: string[] = [];
  const sector = info.layout.sectorSize;
  for (const [slot, v] of Object.entries(s.slots)) {
    const part = info.layout.partitions.find((p) => p.name === `iios-root-${slot}`);
    if (!part || !v.rootfsSha256 || !v.rootfsBytes) continue;
    const got = await hashRange(info.path, part.startLba * sector, v.rootfsBytes);
    if (got !== v.rootfsSha256) reasons.push(`slot ${slot} does not match its bundle ${v.bundle ?? '?'} ${v.version ?? '?'} (sha256 ${got.slice(0, 12)}…)`);
  }
  const esp = info.layout.partitions.find((p) => p.name === 'IIOS-ESP');
  if (esp) {
    const entries = await espEntryNames(info.path, esp.startLba * sector);
    for (const [path, sha] of Object.entries(s.espFiles)) {
      const content = await fatReadFile(info.path, esp.startLba * sector, currentEntryPath(path, entries)).catch(() => null);
      const got = content ? createHash('sha256').update(content).digest('hex') : null;
      if (got !== sha) reasons.push(`ESP file ${path} is ${got ? 'changed' : 'missing'}`);
    }
  }
  return reasons;
}
