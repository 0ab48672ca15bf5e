// `iios verify`'s way of reading a stick for the shared checks (src-shared/verify/stick-checks.ts, the ones the
// helper runs at write time): the slots hashed through the page cache (blockdev --flushbufs first, in
// stick-verify.ts), veritysetup over read-only loops, the ESP through mtools, the caches through a read-only mount.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { runStickChecks, type CheckOutcome, type SlotExpect, type StickExpect, type StickReader } from '../../../src-shared/verify/stick-checks.ts';
import { readCacheManifests } from './stick-caches.ts';
import { partitionByName, type StickLayout, type StickPartition, type StickStamp } from './stick-reader.ts';
import { fatReadFile, ReadToolError, tool, withReadOnlyLoop } from './stick-tools.ts';
import { espEntryNames } from './stick-slots.ts';
import { currentEntryPath } from '../../../src-shared/stick/slot-state.ts';

const CHUNK = 4 * 1024 * 1024;

/** sha256 of `length` bytes of `path` from `offset`. */
export async function hashRange(path: string, offset: number, length: number, onBytes?: (done: number) => void, signal?: AbortSignal): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    let done = 0;
    while (done < length) {
      signal?.throwIfAborted();
      const want = Math.min(CHUNK, length - done);
      const { bytesRead } = await fh.read(buf, 0, want, offset + done);
      if (bytesRead === 0) throw new Error(`${path} ends ${length - done} bytes early`);
      h.update(buf.subarray(0, bytesRead));
      done += bytesRead;
      onBytes?.(done);
    }
    return h.digest('hex');
  } finally {
    await fh.close();
  }
}


function appReader(path: string, signal?: AbortSignal): StickReader {
  return {
    sha256Range: (offset, length, onBytes) => hashRange(path, offset, length, onBytes, signal),
    verity: (data, hash, rootHash) =>
      withReadOnlyLoop(path, data.startBytes, data.sizeBytes, (dataDev) =>
        withReadOnlyLoop(path, hash.startBytes, hash.sizeBytes, (hashDev) => tool('veritysetup', ['verify', dataDev, hashDev, rootHash], { signal, okExitCodes: [0, 1, 2, 3, 4, 5] })),
      ),
    espFileSha256: async (espStart, fatPath) => {
      try {
        // a boot entry is renamed by boot counting and blessing, its content unchanged
        const where = fatPath.startsWith('/loader/entries/') ? currentEntryPath(fatPath, await espEntryNames(path, espStart)) : fatPath;
        return createHash('sha256').update(await fatReadFile(path, espStart, where, { signal })).digest('hex');
      } catch (err) {
        if (err instanceof ReadToolError && /not found/i.test(err.stderr)) return null;
        throw err;
      }
    },
    cacheManifests: (part, kinds, onBytes) => readCacheManifests(path, part, kinds, signal, onBytes),
  };
}

/** What the stamp says the stick holds, placed on its partitions. */
export function stampExpect(layout: StickLayout, esp: StickPartition, stamp: StickStamp): StickExpect {
  const slots: SlotExpect[] = [];
  for (const [slot, s] of Object.entries(stamp.slots)) {
    const root = partitionByName(layout, `iios-root-${slot}`);
    if (!root) continue; // a writable system slot lives in Btrfs, checked by btrfs check
    const verity = partitionByName(layout, `iios-verity-${slot}`) ?? null;
    slots.push({ slot, root, verity, bytes: s.rootfsBytes ?? 0, sha256: s.rootfsSha256 ?? null, rootHash: s.rootHash ?? null });
  }
  const cachePart = partitionByName(layout, 'iios-data') ?? partitionByName(layout, 'iios-system');
  return {
    slots,
    esp: { startBytes: esp.startBytes, files: stamp.espFiles },
    caches: stamp.caches.length ? { part: cachePart ?? { startBytes: 0, sizeBytes: 0 }, list: stamp.caches } : null,
  };
}

export interface StampCheck extends CheckOutcome {
  ms: number;
}

/** The shared checks of a stick against its stamp; each outcome goes to onCheck as it is known. */
export async function stampChecks(
  path: string,
  layout: StickLayout,
  esp: StickPartition,
  stamp: StickStamp,
  opts: { signal?: AbortSignal; onProgress?: (name: string, bytesDone: number, bytesTotal: number) => void },
  onCheck: (c: StampCheck) => void,
): Promise<void> {
  const expect = stampExpect(layout, esp, stamp);
  if (expect.caches && expect.caches.part.sizeBytes === 0) {
    onCheck({ id: { check: 'caches' }, name: 'caches', ok: false, said: { key: 'no-cache-partition' }, detail: 'no iios-data or iios-system partition to hold @caches', ms: 0 });
    expect.caches = null;
  }
  let t0 = performance.now();
  await runStickChecks(expect, appReader(path, opts.signal), {
    aborted: () => !!opts.signal?.aborted,
    onBytes: (done, total) => opts.onProgress?.('verify', done, total),
    onCheck: (c) => {
      const now = performance.now();
      onCheck({ ...c, ms: now - t0 });
      t0 = now;
    },
  });
}
