// The image source, re-checked by the helper before anything is written: every file a bundle lists must be
// inside the bundle, of the listed size and sha256 (a truncated or altered root image is refused here);
// a raw disk image is measured (decompressed size) before the plan is made. Each path is first checked to be
// readable by the user who started iios (source-access.ts): the helper reads as root, the user chose the path.
import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { wrongFileKind } from '../src-shared/format/file-kind.ts';
import type { WriteJob } from '../src-shared/job/write-job.ts';
import { parseBundleManifest, type BundleManifest } from '../src-shared/profile/bundle-manifest.ts';
import { CHUNK_BYTES } from './io/aligned.ts';
import { chunkHasher, ChunkDigests } from './io/chunk-hash.ts';
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
  /** manifest.json exactly as it was read and checked (what a stick's @iios gets). */
  manifestText: string;
  /** Where each file the manifest lists is read from, by its manifest name: the file the helper checked, held
   *  open (see openChecked). */
  files: Record<string, string>;
  /** All paths that make up the source, as the user named them (for the drive safety check). */
  paths: string[];
  handles: FileHandle[];
}

export interface RawSource {
  kind: 'raw';
  /** Where the image is read from: the file the helper checked, held open (see openChecked). */
  path: string;
  /** The image as the user named it (messages). */
  shownPath: string;
  compression: Compression;
  imageBytes: number;
  /**
   * Chunk digests of the decompressed image when it had to be read to measure it (else null): the write
   * compares what it reads with them, so an image changed in between is caught.
   */
  chunks: ChunkDigests | null;
  paths: string[];
  handles: FileHandle[];
}

export type Source = BundleSource | RawSource;

/** Closes the source files the helper held open; call when the job is over. */
export async function closeSource(source: Source): Promise<void> {
  for (const h of source.handles) await h.close().catch(() => undefined);
}

/**
 * Opens a source file once, without following a link, and checks the file actually opened (regular, readable
 * by the user who started iios). Everything later reads it through `/proc/<helper>/fd/<n>` — the helper's own
 * tools included — so a path swapped after the check (for a link to a file the user may not read) is never
 * what gets read. The handle stays open until closeSource.
 */
async function openChecked(path: string, what: string, access: SourceReadCheck, handles: FileHandle[]): Promise<{ fh: FileHandle; size: number; via: string }> {
  // O_NONBLOCK: a FIFO put there must not hang the helper before it is seen not to be a file.
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    // Every path given here was resolved with realpath just before: a link now means it was swapped since.
    if (err.code === 'ELOOP') throw new SourceError(`${what} was replaced by a symbolic link while iios was checking it; try again`);
    throw err;
  });
  handles.push(fh);
  const st = await fh.stat();
  const wrong = wrongFileKind(what, st);
  if (wrong) throw new SourceError(wrong);
  await access.check(path, 'read');
  access.checkEntry(path, st, 'read');
  return { fh, size: st.size, via: `/proc/${process.pid}/fd/${fh.fd}` };
}

/** sha256 of a stream of chunks, reporting the bytes hashed so far. */
async function sha256OfStream(chunks: AsyncIterable<unknown>, onBytes?: (n: number) => void): Promise<string> {
  const h = createHash('sha256');
  let n = 0;
  for await (const chunk of chunks) {
    h.update(chunk as Buffer);
    n += (chunk as Buffer).length;
    onBytes?.(n);
  }
  return h.digest('hex');
}

/**
 * A read stream given an abort signal: a cancel that came before or while it is made must reach the hashing
 * loop as a rejection. A stream made with an already aborted signal emits its 'error' before the loop listens,
 * which ended the helper (an unhandled 'error' event) on a cancel during the check, leaving its folder behind.
 */
function abortable<S extends NodeJS.ReadableStream>(signal: AbortSignal | undefined, make: () => S): S {
  signal?.throwIfAborted();
  const stream = make();
  stream.on('error', () => undefined);
  return stream;
}

async function sha256OfHandle(fh: FileHandle, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<string> {
  return sha256OfStream(abortable(signal, () => fh.createReadStream({ start: 0, autoClose: false, highWaterMark: CHUNK_BYTES, signal })), onBytes);
}

/** Runs load with a list of handles that are all closed if it throws. */
async function holdingOpen<T>(load: (handles: FileHandle[]) => Promise<T>): Promise<T> {
  const handles: FileHandle[] = [];
  try {
    return await load(handles);
  } catch (err) {
    for (const h of handles) await h.close().catch(() => undefined);
    throw err;
  }
}

export async function sha256OfFile(path: string, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<string> {
  return sha256OfStream(abortable(signal, () => createReadStream(path, { highWaterMark: CHUNK_BYTES, signal })), onBytes);
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
  return holdingOpen(async (handles) => {
    const manifestPath = await realpath(join(dir, 'manifest.json')).catch(() => {
      throw new SourceError(`the bundle directory ${dir} has no manifest.json`);
    });
    if (!manifestPath.startsWith(dir + sep)) throw new SourceError(`the bundle's manifest.json points outside the bundle`);
    const opened = await openChecked(manifestPath, manifestPath, access, handles);
    const manifestText = await opened.fh.readFile('utf8');
    const onDisk = parseBundleManifest(manifestText, manifestPath);
    if (job.manifest && !isDeepStrictEqual(JSON.parse(JSON.stringify(job.manifest)), JSON.parse(JSON.stringify(onDisk)))) {
      throw new SourceError('the job carries a different manifest than the bundle directory holds');
    }
    const files: Record<string, string> = {};
    const paths = [dir];
    const entries = Object.entries(onDisk.files);
    const total = entries.reduce((s, [, f]) => s + f.sizeBytes, 0);
    let done = 0;
    for (const [name, want] of entries) {
      const path = await realpath(join(dir, name)).catch(() => {
        throw new SourceError(`bundle file ${name} is missing`);
      });
      if (!path.startsWith(dir + sep)) throw new SourceError(`bundle file ${name} points outside the bundle`);
      const { fh, size, via } = await openChecked(path, `bundle file ${name}`, access, handles);
      if (size !== want.sizeBytes) {
        throw new SourceError(`bundle file ${name} is ${size} bytes, the manifest says ${want.sizeBytes} (truncated or replaced)`);
      }
      const base = done;
      const got = await sha256OfHandle(fh, signal, (n) => onBytes?.(base + n, total));
      done += size;
      if (got !== want.sha256) throw new SourceError(`bundle file ${name} has sha256 ${got}, the manifest says ${want.sha256}`);
      files[name] = via;
      paths.push(path);
    }
    return { kind: 'bundle' as const, dir, manifest: onDisk, manifestText, files, paths, handles };
  });
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
  const shownPath = await realpath(job.imagePath!).catch(() => {
    throw new SourceError(`the image ${job.imagePath} does not exist`);
  });
  return holdingOpen(async (handles) => {
    const { size, via: path } = await openChecked(shownPath, shownPath, access, handles);
    const base = { kind: 'raw' as const, path, shownPath, paths: [shownPath], handles };
    const compression = await detectCompression(path);
    if (!compression) return { ...base, compression, imageBytes: size, chunks: null };
    const known = compression === 'xz' ? await xzSize(path) : null;
    if (known) return { ...base, compression, imageBytes: known, chunks: null };
    // Measure by decompressing once (also proves the archive is intact before anything is written).
    const reader = decompressReader(path, compression, signal);
    const hasher = await chunkHasher();
    const chunks = new ChunkDigests();
    const buf = Buffer.alloc(CHUNK_BYTES);
    try {
      for (let n = await reader.read(buf); n > 0; n = await reader.read(buf)) chunks.push(hasher.digest(buf.subarray(0, n)), n);
    } finally {
      await reader.close();
    }
    if (chunks.bytes === 0) throw new SourceError(`${shownPath} decompresses to nothing`);
    return { ...base, compression, imageBytes: chunks.bytes, chunks };
  });
}
