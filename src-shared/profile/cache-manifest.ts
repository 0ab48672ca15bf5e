// The manifest of one offline cache directory (@caches/<kind>): one "sha256 size path" line per regular file,
// sorted by path, joined with "\n" (no final newline). Its sha256 is what the stamp records, so the writer, the
// helper's verify and `iios verify` must build exactly the same text. Pure: the callers walk and hash.

export interface CacheFileEntry {
  /** path relative to the cache directory, "/"-separated */
  path: string;
  sizeBytes: number;
  sha256: string;
}

export function cacheManifestText(files: readonly CacheFileEntry[]): string {
  // Plain code-unit order, the order Array.prototype.sort gives the writer's path list.
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return sorted.map((f) => `${f.sha256} ${f.sizeBytes} ${f.path}`).join('\n');
}

export interface CacheManifestSummary {
  files: number;
  sizeBytes: number;
}

export function cacheManifestSummary(files: readonly CacheFileEntry[]): CacheManifestSummary {
  return { files: files.length, sizeBytes: files.reduce((s, f) => s + f.sizeBytes, 0) };
}
