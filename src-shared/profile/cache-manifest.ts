// The manifest of one offline cache directory (@caches/<kind>): one "sha256 size path" line per regular file and
// one "sha256 0 path -> target" line per symbolic link (sha256 of its target text: a link changed to point
// elsewhere on the stick changes the manifest), sorted by path, joined with "\n" (no final newline). Its sha256 is what the stamp records, so the writer, the
// helper's verify and `iios verify` must build exactly the same text. Pure: the callers walk and hash.

export interface CacheFileEntry {
  /** path relative to the cache directory, "/"-separated */
  path: string;
  sizeBytes: number;
  sha256: string;
  /** A symbolic link: the text it points to (`sha256` is that text's, `sizeBytes` 0). Absent for a regular file. */
  linkTarget?: string;
}

export function cacheManifestText(files: readonly CacheFileEntry[]): string {
  // Plain code-unit order, the order Array.prototype.sort gives the writer's path list.
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return sorted.map((f) => (f.linkTarget === undefined ? `${f.sha256} ${f.sizeBytes} ${f.path}` : `${f.sha256} 0 ${f.path} -> ${f.linkTarget}`)).join('\n');
}

export interface CacheManifestSummary {
  files: number;
  sizeBytes: number;
}

/** The regular files' count and bytes (links are in the manifest, not in these figures). */
export function cacheManifestSummary(files: readonly CacheFileEntry[]): CacheManifestSummary {
  const regular = files.filter((f) => f.linkTarget === undefined);
  return { files: regular.length, sizeBytes: regular.reduce((s, f) => s + f.sizeBytes, 0) };
}
