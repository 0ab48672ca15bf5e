// The image source, re-checked by the helper before anything is written: every file a bundle lists must be
// inside the bundle, of the listed size and sha256 (a truncated or altered root image is refused here);
// a raw disk image is measured (decompressed size) before the plan is made. Each path is first checked to be
// readable by the user who started iios (source-access.ts): the helper reads as root, the user chose the path.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { WriteJob } from '../src-shared/job/write-job.ts';
import { parseBundleManifest, type BundleManifest } from '../src-shared/profile/bundle-manifest.ts';
import { CHUNK_BYTES } from './io/aligned.ts';
import { decompressReader, detectCompression, type Compression } from './io/reader.ts';
import type { SourceReadCheck } from './source-access.ts';
import { run } from './tools/run.ts';

export class SourceError extends Error {
  override name = 'SourceError';
}

export interface BundleSource {
  kind: 'bundle';
  dir: string;
  manifest: BundleManifest;
  /** Absolute path of every file the manifest lists, by its manifest name. */
  files: Record<string, string>;
  /** All paths that make up the source (for the drive safety check). */
  paths: string[];
}

export interface RawSource {
  kind: 'raw';
  path: string;
  compression: Compression;
  imageBytes: number;
  /** sha256 of the decompressed image when it had to be read to measure it (else null). */
  sha256: string | null;
  paths: string[];
}

export type Source = BundleSource | RawSource;

export async function sha256OfFile(path: string, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<string> {
  const h = createHash('sha256');
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES, signal })) {
    h.update(chunk as Buffer);
    n += (chunk as Buffer).length;
    onBytes?.(n);
  }
  return h.digest('hex');
}

export async function loadBundle(
  job: WriteJob,
  access: SourceReadCheck,
  signal: AbortSignal,
  onBytes?: (done: number, total: number) => void,
): Promise<BundleSource> {
  const dir = await realpath(job.bundleDir!).catch(() => {
    throw new SourceError(`the bundle directory ${job.bundleDir} does not exist`);
  });
  await access.check(dir, 'list');
  await access.check(join(dir, 'manifest.json'), 'read');
  const onDisk = parseBundleManifest(await readFile(join(dir, 'manifest.json'), 'utf8'), join(dir, 'manifest.json'));
  if (job.manifest && !isDeepStrictEqual(JSON.parse(JSON.stringify(job.manifest)), JSON.parse(JSON.stringify(onDisk)))) {
    throw new SourceError('the job carries a different manifest than the bundle directory holds');
  }
  const files: Record<string, string> = {};
  const entries = Object.entries(onDisk.files);
  const total = entries.reduce((s, [, f]) => s + f.sizeBytes, 0);
  let done = 0;
  for (const [name, want] of entries) {
    const path = await realpath(join(dir, name)).catch(() => {
      throw new SourceError(`bundle file ${name} is missing`);
    });
    if (!path.startsWith(dir + sep)) throw new SourceError(`bundle file ${name} points outside the bundle`);
    const st = await stat(path);
    if (!st.isFile()) throw new SourceError(`bundle file ${name} is not a regular file`);
    await access.check(path, 'read');
    if (st.size !== want.sizeBytes) {
      throw new SourceError(`bundle file ${name} is ${st.size} bytes, the manifest says ${want.sizeBytes} (truncated or replaced)`);
    }
    const base = done;
    const got = await sha256OfFile(path, signal, (n) => onBytes?.(base + n, total));
    done += st.size;
    if (got !== want.sha256) throw new SourceError(`bundle file ${name} has sha256 ${got}, the manifest says ${want.sha256}`);
    files[name] = path;
  }
  return { kind: 'bundle', dir, manifest: onDisk, files, paths: [dir, ...Object.values(files)] };
}

/** Uncompressed size from `xz --robot --list` (exact; the other formats do not record it reliably). */
async function xzSize(path: string): Promise<number | null> {
  try {
    const { stdout } = await run('xz', ['--robot', '--list', path]);
    const totals = stdout.split('\n').find((l) => l.startsWith('totals\t'));
    const n = Number(totals?.split('\t')[4]);
    return Number.isSafeInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

export async function loadRawImage(job: WriteJob, access: SourceReadCheck, signal: AbortSignal): Promise<RawSource> {
  const path = await realpath(job.imagePath!).catch(() => {
    throw new SourceError(`the image ${job.imagePath} does not exist`);
  });
  const st = await stat(path);
  if (!st.isFile()) throw new SourceError(`${path} is not a regular file`);
  await access.check(path, 'read');
  const compression = await detectCompression(path);
  if (!compression) return { kind: 'raw', path, compression, imageBytes: st.size, sha256: null, paths: [path] };
  const known = compression === 'xz' ? await xzSize(path) : null;
  if (known) return { kind: 'raw', path, compression, imageBytes: known, sha256: null, paths: [path] };
  // Measure by decompressing once (also proves the archive is intact before anything is written).
  const reader = decompressReader(path, compression, signal);
  const h = createHash('sha256');
  const buf = Buffer.alloc(CHUNK_BYTES);
  let total = 0;
  try {
    for (let n = await reader.read(buf); n > 0; n = await reader.read(buf)) {
      h.update(buf.subarray(0, n));
      total += n;
    }
  } finally {
    await reader.close();
  }
  if (total === 0) throw new SourceError(`${path} decompresses to nothing`);
  return { kind: 'raw', path, compression, imageBytes: total, sha256: h.digest('hex'), paths: [path] };
}
