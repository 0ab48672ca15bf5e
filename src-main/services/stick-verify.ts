// Re-checks a written stick against its own stamp with independent tools: the GPT (sgdisk -v), each slot's
// sha256 over the image length, `veritysetup verify` with the stamp's root hash, the ESP files' sha256,
// and `btrfs check --readonly` of every Btrfs partition. Read-only throughout.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { checkCaches } from './stick-caches.ts';
import { partitionByName, readStick, type StickInfo, type StickPartition } from './stick-reader.ts';
import { fatReadFile, tool, toolBuffer, withReadOnlyLoop } from './stick-tools.ts';

export interface VerifyCheck {
  name: string;
  ok: boolean;
  detail: string;
  bytes?: number;
  ms: number;
}

export interface VerifyReport {
  path: string;
  ok: boolean;
  info: StickInfo;
  checks: VerifyCheck[];
}

export interface VerifyOptions {
  signal?: AbortSignal;
  onCheck?: (check: VerifyCheck) => void;
  onProgress?: (name: string, bytesDone: number, bytesTotal: number) => void;
}

const CHUNK = 4 * 1024 * 1024;
const BTRFS_MAGIC = Buffer.from('_BHRfS_M');

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

async function readAt(path: string, at: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, at);
    return buf;
  } finally {
    await fh.close();
  }
}

const hasBtrfsMagic = async (path: string, part: StickPartition) => (await readAt(path, part.startBytes + 0x10040, 8)).equals(BTRFS_MAGIC);
/** ext2/3/4: 0xEF53 at byte 56 of the superblock, which starts 1024 bytes in. */
const hasExt4Magic = async (path: string, part: StickPartition) => (await readAt(path, part.startBytes + 1024 + 56, 2)).readUInt16LE(0) === 0xef53;

/** Runs every check that applies; a failing check does not stop the others. */
export async function verifyStick(path: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const info = await readStick(path, { signal: opts.signal });
  // A stick written a moment ago must answer from the medium, not from the page cache.
  if (info.kind === 'device') await tool('blockdev', ['--flushbufs', path]).catch(() => undefined);
  const checks: VerifyCheck[] = [];
  const check = async (name: string, fn: () => Promise<{ ok: boolean; detail: string; bytes?: number }>) => {
    const t0 = performance.now();
    let c: VerifyCheck;
    try {
      c = { name, ...(await fn()), ms: performance.now() - t0 };
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      c = { name, ok: false, detail: (err as Error).message, ms: performance.now() - t0 };
    }
    checks.push(c);
    opts.onCheck?.(c);
  };

  await check('stamp', async () =>
    info.stamp
      ? { ok: info.complete, detail: info.complete ? `complete (${info.stamp.profile ?? '?'}, ${info.stamp.hostname ?? '?'})` : 'the stamp says the write did not finish' }
      : { ok: false, detail: info.stampError ?? info.layoutError ?? 'no stamp' },
  );
  if (!info.layout || !info.stamp) return { path, ok: false, info, checks };

  await check('gpt', async () => {
    const { stdout } = await tool('sgdisk', ['-v', path], { signal: opts.signal, okExitCodes: [0, 1, 2] });
    const ok = /No problems found/i.test(stdout);
    return { ok, detail: ok ? 'sgdisk -v: no problems' : stdout.trim().split('\n').slice(0, 4).join(' | ') };
  });

  const stamp = info.stamp;
  for (const [slot, s] of Object.entries(stamp.slots)) {
    const root = partitionByName(info.layout, `iios-root-${slot}`);
    if (!root) continue; // a writable system slot lives in Btrfs, checked below
    const bytes = s.rootfsBytes ?? 0;
    if (s.rootfsSha256 && bytes > 0) {
      await check(`slot ${slot} sha256`, async () => {
        if (bytes > root.sizeBytes) return { ok: false, detail: `image (${bytes} B) larger than its partition` };
        const got = await hashRange(path, root.startBytes, bytes, (d) => opts.onProgress?.(`slot ${slot} sha256`, d, bytes), opts.signal);
        return { ok: got === s.rootfsSha256, detail: got === s.rootfsSha256 ? `${bytes} bytes match` : `sha256 ${got} ≠ stamp ${s.rootfsSha256}`, bytes };
      });
    }
    const verity = partitionByName(info.layout, `iios-verity-${slot}`);
    if (verity && s.rootHash) {
      const rootHash = s.rootHash;
      await check(`slot ${slot} verity`, async () =>
        withReadOnlyLoop(path, root.startBytes, root.sizeBytes, (data) =>
          withReadOnlyLoop(path, verity.startBytes, verity.sizeBytes, async (hash) => {
            const r = await tool('veritysetup', ['verify', data, hash, rootHash], { signal: opts.signal, okExitCodes: [0, 1, 2, 3, 4, 5] });
            return { ok: r.exitCode === 0, detail: r.exitCode === 0 ? `root hash ${rootHash.slice(0, 12)}… verified` : r.stderr.trim() || `exit ${r.exitCode}` };
          }),
        ),
      );
    }
  }

  const esp = info.esp!;
  const espFiles = Object.entries(stamp.espFiles);
  if (espFiles.length) {
    await check('esp files', async () => {
      const bad: string[] = [];
      for (const [file, sha] of espFiles) {
        try {
          const got = createHash('sha256').update(await fatReadFile(path, esp.startBytes, file, { signal: opts.signal })).digest('hex');
          if (got !== sha) bad.push(`${file} differs`);
        } catch {
          bad.push(`${file} missing`);
        }
      }
      return { ok: bad.length === 0, detail: bad.length ? bad.join(', ') : `${espFiles.length} files match` };
    });
  }

  const payloadPart = partitionByName(info.layout, 'iios-payload');
  if (payloadPart && stamp.payload.length) {
    await check('payload', async () => {
      const bad: string[] = [];
      const readAll = async (read: (file: string) => Promise<Buffer>) => {
        for (const p of stamp.payload) {
          try {
            const got = createHash('sha256').update(await read(p.path)).digest('hex');
            if (got !== p.sha256) bad.push(`${p.path} differs`);
          } catch {
            bad.push(`${p.path} missing`);
          }
        }
      };
      if (await hasExt4Magic(path, payloadPart)) {
        await withReadOnlyLoop(path, payloadPart.startBytes, payloadPart.sizeBytes, (dev) =>
          readAll((file) => toolBuffer('debugfs', ['-R', `cat ${file}`, dev], { signal: opts.signal })),
        );
      } else {
        await readAll((file) => fatReadFile(path, payloadPart.startBytes, file, { signal: opts.signal }));
      }
      return { ok: bad.length === 0, detail: bad.length ? bad.join(', ') : `${stamp.payload.length} files match` };
    });
  }

  if (stamp.caches.length) {
    const layout = info.layout;
    await check('caches', async () => {
      const bad = await checkCaches(path, layout, stamp);
      return { ok: bad.length === 0, detail: bad.length ? bad.join(', ') : `${stamp.caches.map((c) => c.kind).join(', ')}: manifests match` };
    });
  }

  for (const part of info.layout.partitions) {
    if (!(await hasBtrfsMagic(path, part).catch(() => false))) continue;
    await check(`btrfs ${part.name}`, async () =>
      withReadOnlyLoop(path, part.startBytes, part.sizeBytes, async (dev) => {
        const r = await tool('btrfs', ['check', '--readonly', dev], { signal: opts.signal, okExitCodes: [0, 1] });
        return { ok: r.exitCode === 0, detail: r.exitCode === 0 ? 'btrfs check --readonly: clean' : r.stderr.trim().split('\n').slice(-2).join(' | ') };
      }),
    );
  }

  return { path, ok: checks.every((c) => c.ok), info, checks };
}
