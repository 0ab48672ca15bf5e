// The quick capacity check of a stick (as f3probe and GNOME MultiWriter do): blocks that each name their own
// place are written across the claimed size and read back. A counterfeit stick reports more than its flash
// holds; its controller either wraps (a write past the real size lands at its start again), drops such writes
// (they read back as something else), or fails them. Pure: where to write, what each sector holds, and what
// the read-back says; the helper does the I/O (helpers/steps/capacity-check.ts).
//
// Where: the first `lowBytes` whole, then one block every `stride` bytes to the end. A wrapping stick of real
// size R sends the first block past R to (i·stride − R) < stride, i.e. into the first region, whatever R is:
// that sector then holds the tag of a place R bytes further on, and R is read off exactly. stride ≈ √(size ×
// block) keeps both parts small: a 64 GB stick takes 64 MiB whole plus 954 blocks of 64 KiB.
import { formatBytes } from '../format/bytes.ts';
import { t } from '../i18n/index.ts';

export const SECTOR = 512;
export const PROBE_BLOCK = 64 * 1024;
const MiB = 1024 * 1024;
const MIN_LOW = 4 * MiB;
const MAX_LOW = 256 * MiB;
const MAGIC = 'IIOSCAP1';

export interface ProbeRegion {
  offset: number;
  length: number;
}

export interface ProbePlan {
  claimedBytes: number;
  lowBytes: number;
  stride: number;
  regions: ProbeRegion[];
  /** Bytes written (and then read back). */
  bytes: number;
}

/** The regions to write on a device of `claimedBytes`, in the order they are written (offsets rising). */
export function probePlan(claimedBytes: number): ProbePlan {
  const size = Math.floor(claimedBytes / 4096) * 4096;
  let stride = MIN_LOW;
  while (stride < MAX_LOW && stride * stride < size * PROBE_BLOCK) stride *= 2;
  const lowBytes = Math.min(stride, size);
  const regions: ProbeRegion[] = [{ offset: 0, length: lowBytes }];
  for (let at = stride; at + PROBE_BLOCK <= size; at += stride) regions.push({ offset: at, length: PROBE_BLOCK });
  const last = size - PROBE_BLOCK;
  const end = regions[regions.length - 1]!;
  if (last >= end.offset + end.length) regions.push({ offset: last, length: PROBE_BLOCK });
  return { claimedBytes: size, lowBytes, stride, regions, bytes: regions.reduce((s, r) => s + r.length, 0) };
}

/** Fills `into` (a whole number of sectors) with what the sectors from `offset` hold under this check's `nonce`. */
export function fillSectors(into: Uint8Array, offset: number, nonce: Uint8Array): void {
  const view = new DataView(into.buffer, into.byteOffset, into.byteLength);
  for (let s = 0; s < into.byteLength; s += SECTOR) {
    const at = offset + s;
    for (let i = 0; i < 8; i++) into[s + i] = MAGIC.charCodeAt(i);
    into.set(nonce.subarray(0, 8), s + 8);
    view.setUint32(s + 16, at % 2 ** 32, true);
    view.setUint32(s + 20, Math.floor(at / 2 ** 32), true);
    // xorshift32 from the place and the nonce: every sector differs, so no controller can dedupe or compress them
    let x = (at / SECTOR) ^ view.getUint32(s + 8, true) ^ 0x9e3779b9 || 1;
    for (let i = 24; i < SECTOR; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      view.setUint32(s + i, x >>> 0, true);
    }
  }
}

/** What one sector read back holds: its own content, another place's (that place), or something else. */
export function readSector(got: Uint8Array, offset: number, nonce: Uint8Array, scratch: Uint8Array): { ok: true } | { ok: false; holds: number | null } {
  fillSectors(scratch.subarray(0, SECTOR), offset, nonce);
  if (equal(got, scratch)) return { ok: true };
  for (let i = 0; i < 8; i++) if (got[i] !== MAGIC.charCodeAt(i) || got[8 + i] !== nonce[i]) return { ok: false, holds: null };
  const view = new DataView(got.buffer, got.byteOffset, SECTOR);
  const holds = view.getUint32(16, true) + view.getUint32(20, true) * 2 ** 32;
  // the tag of another place, but is the rest that place's too? (a torn write is "something else")
  fillSectors(scratch.subarray(0, SECTOR), holds, nonce);
  return { ok: false, holds: holds % SECTOR === 0 && equal(got, scratch) ? holds : null };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < SECTOR; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What the read-back found, gathered sector by sector (`add`) and region by region (`regionRead`). */
export class ProbeFindings {
  /** The least (other place − this place) over sectors holding another place's tag: the wrap's real size. */
  wrapBytes: number | null = null;
  /** The lowest place that did not read back as written (or could not be read). */
  firstBad: number | null = null;
  /** The end of the last region below firstBad that read back whole. */
  lastGoodEnd = 0;
  badSectors = 0;

  sector(offset: number, result: ReturnType<typeof readSector>): void {
    if (result.ok) return;
    this.badSectors++;
    if (this.firstBad === null || offset < this.firstBad) this.firstBad = offset;
    if (result.holds !== null && result.holds > offset) {
      const d = result.holds - offset;
      if (this.wrapBytes === null || d < this.wrapBytes) this.wrapBytes = d;
    }
  }

  regionGood(region: ProbeRegion): void {
    if (this.firstBad === null || region.offset + region.length <= this.firstBad) this.lastGoodEnd = Math.max(this.lastGoodEnd, region.offset + region.length);
  }
}

export type CapacityVerdict =
  | { ok: true; claimedBytes: number; message: string }
  | { ok: false; claimedBytes: number; realBytes: number; how: 'wraps' | 'lost' | 'write-fails'; message: string };

/**
 * The check's answer, with what to do. `writeFailedAt`: where a write failed (and why), when one did: the
 * stick holds at most what was written before it.
 */
export function capacityVerdict(plan: ProbePlan, findings: ProbeFindings, writeFailedAt: { offset: number; error: string } | null): CapacityVerdict {
  const claimed = formatBytes(plan.claimedBytes);
  if (writeFailedAt) {
    const real = formatBytes(writeFailedAt.offset);
    return { ok: false, claimedBytes: plan.claimedBytes, realBytes: writeFailedAt.offset, how: 'write-fails', message: t('capacity.writeFails', { claimed, real, error: writeFailedAt.error }) };
  }
  if (findings.wrapBytes !== null) {
    const real = formatBytes(findings.wrapBytes);
    return { ok: false, claimedBytes: plan.claimedBytes, realBytes: findings.wrapBytes, how: 'wraps', message: t('capacity.wraps', { claimed, real }) };
  }
  if (findings.firstBad !== null) {
    const real = formatBytes(findings.lastGoodEnd);
    return { ok: false, claimedBytes: plan.claimedBytes, realBytes: findings.lastGoodEnd, how: 'lost', message: t('capacity.lost', { claimed, real }) };
  }
  return { ok: true, claimedBytes: plan.claimedBytes, message: t('capacity.ok', { written: formatBytes(plan.bytes), places: plan.regions.length, claimed }) };
}
