// The checks that say a written stick holds what was meant to be written: each A/B slot's sha256 over the
// image length, `veritysetup verify` of each slot against its hash partition and root hash, the ESP files'
// sha256, and each offline cache's manifest. One set of checks, run by the helper at the end of a write
// (helpers/steps/verify.ts) and by `iios verify` (src-main/services/stick/stick-verify.ts): the decisions and
// the wording live here; each side passes in how it reads (the helper with O_DIRECT and its tool runner,
// the app with its own runner), since neither may import the other. Pure: no node: imports.
import type { CacheFileEntry } from '../profile/cache-manifest.ts';
import type { CacheFileDiff, CacheProblem, CheckId, CheckSaid, FileProblem } from './check-said.ts';

/**
 * How often `btrfs check --readonly` is run at most, and when again: before it reads anything it looks whether
 * the device is mounted by going through every Btrfs in the mount table; a loop of another target torn down in
 * that instant answers ENODEV and the check stops with "could not check mount status" (met with eight sticks
 * verified at once). That says nothing of the filesystem checked, so it is asked again on a fresh loop; any
 * other answer stands. Shared by the helper's verify and `iios verify`.
 */
export const BTRFS_CHECK_TRIES = 3;
export function btrfsCheckRaced(stderr: string): boolean {
  return /could not check mount status/.test(stderr);
}

export interface ByteRange {
  startBytes: number;
  sizeBytes: number;
}

export interface SlotExpect {
  slot: string;
  root: ByteRange;
  /** The slot's hash partition; null for a slot without verity. */
  verity: ByteRange | null;
  /** The image's length and sha256 (null: the stamp records none, nothing to compare). */
  bytes: number;
  sha256: string | null;
  rootHash: string | null;
}

export interface CacheExpect {
  kind: string;
  files: number;
  sizeBytes: number;
  manifestSha256: string;
  /** from a cache set: then @caches/<kind> must be a subvolume of its own (what `iios caches update` replaces) */
  set?: string;
  /** The files as the writer described them (the helper has them; a stamp records only the manifest's sha256). */
  entries?: readonly CacheFileEntry[];
}

export interface StickExpect {
  slots: readonly SlotExpect[];
  /** The ESP's offset and its files' sha256 by FAT path. */
  esp: { startBytes: number; files: Record<string, string> } | null;
  /** The partition holding @caches and the caches it must hold. */
  caches: { part: ByteRange; list: readonly CacheExpect[] } | null;
}

export interface CacheReadBack {
  sha256: string;
  files: number;
  sizeBytes: number;
  entries: readonly CacheFileEntry[];
  /** @caches/<kind> is the root of a Btrfs subvolume */
  subvolume?: boolean;
}

/** How one side reads a stick. Every function reads only; a throw fails that one check with its message. */
export interface StickReader {
  /** sha256 of `length` bytes from `offset` of the disk or image, read back from the medium. */
  sha256Range(offset: number, length: number, onBytes?: (done: number) => void): Promise<string>;
  /** Where [offset, offset+length) first differs from the slot's source image, when a source is at hand. */
  firstDifference?(offset: number, length: number): Promise<number | null>;
  /** `veritysetup verify` of the data range against the hash range: its exit code and stderr. */
  verity(data: ByteRange, hash: ByteRange, rootHash: string): Promise<{ exitCode: number; stderr: string }>;
  /** sha256 of one file on the FAT filesystem at espStart; null when the file is not there. */
  espFileSha256(espStart: number, fatPath: string): Promise<string | null>;
  /** Each cache directory @caches/<kind> as it reads back now (null: missing), in one mount of `part`. */
  cacheManifests(part: ByteRange, kinds: readonly string[], onBytes?: (n: number) => void): Promise<Map<string, CacheReadBack | null>>;
}

export interface CheckOutcome {
  /** The check and what it found, typed: what the reader is told, in their language (check-words.ts). */
  id: CheckId;
  said: CheckSaid;
  /** The same in English, for logs and `--json`. */
  name: string;
  ok: boolean;
  detail: string;
  bytes?: number;
  /** A slot that reads back wrong, and its first differing byte of the disk when found (the helper types its failure with it). */
  slotDiffers?: { slot: string; byte: number | null };
}

export interface RunChecksOptions {
  /** Progress of the byte-heavy checks (slot read-back, cache re-hash) as one count over all of them. */
  onBytes?: (done: number, total: number) => void;
  onCheck?: (c: CheckOutcome) => void;
  /** Whether a thrown read is a cancel (then it is thrown on, not reported as a failed check). */
  aborted?: () => boolean;
}

export const checkBytesTotal = (e: StickExpect): number =>
  e.slots.reduce((s, x) => s + (x.sha256 ? x.bytes : 0), 0) + (e.caches ? e.caches.list.reduce((s, c) => s + c.sizeBytes, 0) : 0);

export function judgeSlotSha256(s: SlotExpect, got: string, firstDiff: number | null): CheckOutcome {
  const name = `slot ${s.slot} sha256`;
  const id: CheckId = { check: 'slot-sha256', slot: s.slot };
  if (got === s.sha256) return { id, name, ok: true, said: { key: 'slot-match', bytes: s.bytes }, detail: `${s.bytes} bytes match`, bytes: s.bytes };
  const diskByte = firstDiff === null ? null : s.root.startBytes + firstDiff;
  const where = firstDiff === null ? '' : `; the first differing byte is ${firstDiff} of the slot (byte ${diskByte} of the disk)`;
  return {
    id,
    name,
    ok: false,
    said: { key: 'slot-differs', slot: s.slot, got, want: s.sha256 ?? '', byte: firstDiff, diskByte },
    detail: `slot ${s.slot} reads back with sha256 ${got}, expected ${s.sha256}${where}`,
    bytes: s.bytes,
    slotDiffers: { slot: s.slot, byte: diskByte },
  };
}

export function judgeVerity(s: SlotExpect, rootHash: string, exitCode: number, stderr: string): CheckOutcome {
  const name = `slot ${s.slot} verity`;
  const id: CheckId = { check: 'slot-verity', slot: s.slot };
  const short = rootHash.slice(0, 12);
  if (exitCode === 0) return { id, name, ok: true, said: { key: 'verity-ok', rootHash: short }, detail: `root hash ${short}… verified` };
  const why = stderr.trim().split('\n').filter(Boolean).join(' ') || `exit ${exitCode}`;
  return { id, name, ok: false, said: { key: 'verity-fails', slot: s.slot, rootHash: short, why }, detail: `slot ${s.slot} does not verify against iios-verity-${s.slot} with root hash ${short}…: veritysetup verify: ${why}` };
}

export function judgeEspFiles(results: readonly { path: string; want: string; got: string | null }[]): CheckOutcome {
  const bad: FileProblem[] = results.flatMap((r) => (r.got === r.want ? [] : [{ path: r.path, got: r.got === null ? null : { sha256: r.got }, want: { sha256: r.want } }]));
  const english = bad.map((p) => (p.got === null ? `ESP file ${p.path} is missing` : `ESP file ${p.path} reads back with sha256 ${p.got.sha256}, expected ${p.want.sha256}`));
  const [first, ...more] = bad;
  return {
    id: { check: 'esp-files' },
    name: 'esp files',
    ok: bad.length === 0,
    said: first ? { key: 'esp-differs', problems: [first, ...more] } : { key: 'esp-match', files: results.length },
    detail: english.length ? english.join('; ') : `${results.length} files match`,
  };
}

/** The files of a cache that differ from what the writer described: changed, missing or not written by it. */
export function cacheFileDiffs(want: readonly CacheFileEntry[], got: readonly CacheFileEntry[]): CacheFileDiff[] {
  const have = new Map(got.map((e) => [e.path, e]));
  const out: CacheFileDiff[] = [];
  for (const w of want) {
    const g = have.get(w.path);
    have.delete(w.path);
    if (!g) out.push({ how: 'missing', path: w.path });
    else if (w.linkTarget !== undefined || g.linkTarget !== undefined) {
      if (g.linkTarget !== w.linkTarget) out.push({ how: 'link', path: w.path, got: g.linkTarget ?? null, want: w.linkTarget ?? null });
    } else if (g.sha256 !== w.sha256 || g.sizeBytes !== w.sizeBytes) {
      out.push({ how: 'content', path: w.path, got: { sha256: g.sha256, sizeBytes: g.sizeBytes }, want: { sha256: w.sha256, sizeBytes: w.sizeBytes } });
    }
  }
  for (const extra of have.keys()) out.push({ how: 'extra', path: extra });
  return out;
}

/** One differing cache file in English (logs, `--json`). */
export function cacheFileDiffEnglish(d: CacheFileDiff): string {
  switch (d.how) {
    case 'missing':
      return `${d.path} is missing`;
    case 'extra':
      return `${d.path} was not written`;
    case 'link':
      return `${d.path} reads back as ${d.got === null ? 'a file' : `a link to ${d.got}`}, expected a link to ${d.want ?? '(a file)'}`;
    case 'content':
      return `${d.path} reads back with sha256 ${d.got.sha256} (${d.got.sizeBytes} bytes), expected ${d.want.sha256} (${d.want.sizeBytes} bytes)`;
  }
}

/** The same in English sentences. */
export function cacheFileDifferences(want: readonly CacheFileEntry[], got: readonly CacheFileEntry[]): string[] {
  return cacheFileDiffs(want, got).map(cacheFileDiffEnglish);
}

function cacheProblemEnglish(p: CacheProblem): string {
  switch (p.problem) {
    case 'missing':
      return `${p.kind}: @caches/${p.kind} is missing`;
    case 'not-subvolume':
      return `${p.kind}: @caches/${p.kind} is not a subvolume of its own`;
    case 'differs':
      return (
        `${p.kind}: reads back as ${p.got.files} files / ${p.got.sizeBytes} bytes with manifest sha256 ${p.got.sha256}, expected ${p.want.files} / ${p.want.sizeBytes} with ${p.want.sha256}` +
        (p.files.length ? ` (${p.files.map(cacheFileDiffEnglish).join(', ')})` : '')
      );
  }
}

export function judgeCaches(list: readonly CacheExpect[], got: Map<string, CacheReadBack | null>): CheckOutcome {
  const bad: CacheProblem[] = [];
  for (const c of list) {
    const g = got.get(c.kind) ?? null;
    if (!g) {
      bad.push({ problem: 'missing', kind: c.kind });
      continue;
    }
    if (c.set !== undefined && g.subvolume === false) bad.push({ problem: 'not-subvolume', kind: c.kind });
    if (g.sha256 === c.manifestSha256) continue;
    bad.push({
      problem: 'differs',
      kind: c.kind,
      got: { files: g.files, sizeBytes: g.sizeBytes, sha256: g.sha256 },
      want: { files: c.files, sizeBytes: c.sizeBytes, sha256: c.manifestSha256 },
      files: c.entries ? cacheFileDiffs(c.entries, g.entries) : [],
    });
  }
  const kinds = list.map((c) => c.kind);
  const [first, ...more] = bad;
  return {
    id: { check: 'caches' },
    name: 'caches',
    ok: bad.length === 0,
    said: first ? { key: 'caches-differ', problems: [first, ...more] } : { key: 'caches-match', kinds },
    detail: bad.length ? `cache ${bad.map(cacheProblemEnglish).join('; ')}` : `${kinds.join(', ')}: manifests match`,
  };
}

/** A check whose reading threw: the error as it was thrown (a tool's or the system's words). */
export function checkThrew(id: CheckId, name: string, err: unknown): CheckOutcome {
  const text = err instanceof Error ? err.message : String(err);
  return { id, name, ok: false, said: { key: 'error', text }, detail: `${name}: ${text}` };
}

/** Runs every check that applies, in order; a failing check does not stop the others. */
export async function runStickChecks(expect: StickExpect, reader: StickReader, opts: RunChecksOptions = {}): Promise<CheckOutcome[]> {
  const out: CheckOutcome[] = [];
  const total = checkBytesTotal(expect);
  let base = 0;
  const outcome = async (id: CheckId, name: string, fn: () => Promise<CheckOutcome>): Promise<CheckOutcome> => {
    try {
      return await fn();
    } catch (err) {
      if (opts.aborted?.()) throw err;
      return checkThrew(id, name, err);
    }
  };
  const record = (c: CheckOutcome) => {
    out.push(c);
    opts.onCheck?.(c);
  };
  const check = async (id: CheckId, name: string, fn: () => Promise<CheckOutcome>) => record(await outcome(id, name, fn));
  for (const s of expect.slots) {
    const sha = s.sha256;
    if (sha && s.bytes > 0) {
      const id: CheckId = { check: 'slot-sha256', slot: s.slot };
      await check(id, `slot ${s.slot} sha256`, async () => {
        if (s.bytes > s.root.sizeBytes) {
          const said: CheckSaid = { key: 'slot-too-big', slot: s.slot, bytes: s.bytes, partBytes: s.root.sizeBytes };
          return { id, name: `slot ${s.slot} sha256`, ok: false, said, detail: `slot ${s.slot}: the image (${s.bytes} B) is larger than its partition` };
        }
        const got = await reader.sha256Range(s.root.startBytes, s.bytes, (d) => opts.onBytes?.(base + d, total));
        const diff = got !== sha && reader.firstDifference ? await reader.firstDifference(s.root.startBytes, s.bytes) : null;
        return judgeSlotSha256(s, got, diff);
      });
      base += s.bytes;
    }
    const verity = s.verity;
    const rootHash = s.rootHash;
    if (verity && rootHash) {
      await check({ check: 'slot-verity', slot: s.slot }, `slot ${s.slot} verity`, async () => {
        const r = await reader.verity(s.root, verity, rootHash);
        return judgeVerity(s, rootHash, r.exitCode, r.stderr);
      });
    }
  }
  // The ESP's files and the caches are read side by side, reported in this order: the ESP's reads (a tool per
  // file, small reads) wait on the stick's latency, the caches' fill its bandwidth, so together they take about
  // the caches' time alone (8-stick bench: the ESP's 8 files took 4 s of each stick's verify on their own).
  const both: Promise<CheckOutcome>[] = [];
  const esp = expect.esp;
  const espFiles = esp ? Object.entries(esp.files) : [];
  if (esp && espFiles.length) {
    both.push(
      outcome({ check: 'esp-files' }, 'esp files', async () => {
        const results = [];
        for (const [path, want] of espFiles) results.push({ path, want, got: await reader.espFileSha256(esp.startBytes, path) });
        return judgeEspFiles(results);
      }),
    );
  }
  const caches = expect.caches;
  if (caches && caches.list.length) {
    both.push(
      outcome({ check: 'caches' }, 'caches', async () => {
        const got = await reader.cacheManifests(caches.part, caches.list.map((c) => c.kind), (n) => {
          base += n;
          opts.onBytes?.(Math.min(base, total), total);
        });
        return judgeCaches(caches.list, got);
      }),
    );
  }
  // a cancel in one of them is thrown on only once the other has stopped too
  const settled = await Promise.allSettled(both);
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
  for (const r of settled) if (r.status === 'fulfilled') record(r.value);
  return out;
}
