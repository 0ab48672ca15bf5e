// Image bundles on disk: a directory with manifest.json (design.md, "Image bundles"). Loading one parses the manifest and
// checks every listed file: present, of the listed size, and of the listed sha256 (streamed, with progress).
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { wrongFileKind } from '../../../src-shared/format/file-kind.ts';
import { ManifestError, parseBundleManifest, type BundleManifest } from '../../../src-shared/profile/index.ts';
import { appRoot } from '../app/app-info.ts';
import type { ErrorDetails, FieldIssue } from '../../../src-shared/contract/error-details.ts';

export { inspectImage, type ImageInfo } from './images.ts';

export type BundleErrorKind = 'no-manifest' | 'manifest' | 'missing-file' | 'wrong-size' | 'wrong-hash' | 'cancelled';

/** A bundle that cannot be used; `code` travels through the IPC envelope. */
export class BundleError extends Error {
  override name = 'BundleError';
  readonly code = 'E_BUNDLE';
  constructor(
    readonly kind: BundleErrorKind,
    message: string,
    readonly file?: string,
    readonly expected?: string,
    readonly actual?: string,
    /** a manifest that failed its schema: why, field by field (said in the reader's language) */
    readonly issues?: FieldIssue[],
  ) {
    super(message);
  }

  /** What crosses the IPC error envelope. */
  get details(): ErrorDetails {
    if (this.kind === 'cancelled') return { kind: 'cancelled' };
    return {
      kind: 'bundle',
      problem: this.kind,
      ...(this.file !== undefined ? { file: this.file } : {}),
      ...(this.expected !== undefined ? { expected: this.expected } : {}),
      ...(this.actual !== undefined ? { actual: this.actual } : {}),
      ...(this.issues !== undefined ? { issues: this.issues } : {}),
    };
  }
}

export interface BundleProgress {
  /** the file being hashed */
  file: string;
  bytesDone: number;
  bytesTotal: number;
}

export interface LoadBundleOptions {
  onProgress?: (p: BundleProgress) => void;
  signal?: AbortSignal;
  /** false: check presence and sizes only, not the sha256 (a quick look for the GUI) */
  verify?: boolean;
}

export interface LoadedBundle {
  dir: string;
  manifest: BundleManifest;
  /** absolute path of every listed file */
  paths: Record<string, string>;
  totalBytes: number;
  /** every file's sha256 was checked */
  verified: boolean;
}

/** The demo bundle (`npm run build:demo`) when it has been built, else null. */
export function defaultBundleDir(): string | null {
  const dir = join(appRoot(), '.cache', 'demo-os', 'bundle');
  return existsSync(join(dir, 'manifest.json')) ? dir : null;
}

/** Parses <dir>/manifest.json without touching the other files (enough to plan a layout). */
export async function readBundleManifest(dir: string): Promise<BundleManifest> {
  const file = join(resolve(dir), 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BundleError('no-manifest', `${file}: ${code === 'ENOENT' ? 'no such file: not an iios bundle' : (err as Error).message}`, 'manifest.json');
  }
  try {
    return parseBundleManifest(text, file);
  } catch (err) {
    if (err instanceof ManifestError) throw new BundleError('manifest', err.message, 'manifest.json', undefined, undefined, err.issues);
    throw err;
  }
}

/** Loads a bundle and checks every file by size, then by sha256 while streaming it. */
export async function loadBundle(dirIn: string, options: LoadBundleOptions = {}): Promise<LoadedBundle> {
  const dir = resolve(dirIn);
  const manifest = await readBundleManifest(dir);
  const names = Object.keys(manifest.files).sort();
  const paths: Record<string, string> = {};
  let totalBytes = 0;
  // cheap checks first, so a missing file is reported before minutes of hashing
  for (const name of names) {
    const path = join(dir, name);
    const expected = manifest.files[name]!.sizeBytes;
    const st = await stat(path).catch(() => null);
    if (!st) throw new BundleError('missing-file', `bundle ${dir}: ${name} is missing (listed in manifest.json)`, name);
    const wrong = wrongFileKind(`bundle ${dir}: ${name}`, st);
    if (wrong) throw new BundleError('missing-file', `${wrong} (listed in manifest.json)`, name);
    if (st.size !== expected) {
      throw new BundleError('wrong-size', `bundle ${dir}: ${name} is ${st.size} bytes, manifest.json says ${expected}`, name, String(expected), String(st.size));
    }
    paths[name] = path;
    totalBytes += expected;
  }
  if (options.verify === false) return { dir, manifest, paths, totalBytes, verified: false };
  let done = 0;
  for (const name of names) {
    const expected = manifest.files[name]!.sha256;
    const actual = await sha256Of(paths[name]!, (n) => {
      done += n;
      options.onProgress?.({ file: name, bytesDone: done, bytesTotal: totalBytes });
    }, options.signal);
    if (actual !== expected) {
      throw new BundleError('wrong-hash', `bundle ${dir}: ${name} has sha256 ${actual}, manifest.json says ${expected}`, name, expected, actual);
    }
  }
  options.onProgress?.({ file: '', bytesDone: totalBytes, bytesTotal: totalBytes });
  return { dir, manifest, paths, totalBytes, verified: true };
}

async function sha256Of(path: string, onBytes: (n: number) => void, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      if (signal?.aborted) throw new BundleError('cancelled', 'bundle check cancelled');
      hash.update(chunk as Buffer);
      onBytes((chunk as Buffer).length);
    }
  } finally {
    stream.destroy();
  }
  return hash.digest('hex');
}
