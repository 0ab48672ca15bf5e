// The squid settings a squid cache is built and read with. The cache_dir's L1/L2 layout is part of the on-stick
// form (squid finds an object's file by it), so the builder and every reader use these same lines.
export const SQUID_CACHE_SUBDIR = 'cache_dir';
export const SQUID_SNIPPET = 'squid-offline.conf';
/** stands for the cache_dir's path in the snippet carried on the stick (its mount point is not known there) */
export const SQUID_CACHE_DIR_PLACEHOLDER = '@CACHE_DIR@';

// A ceiling, not a reservation: ufs takes only what it stores. 100 GB so squid never evicts a carried object.
const CACHE_MB = 100_000;
const L1 = 4;
const L2 = 16;

/** The lines that make `cacheDir` squid's cache (built or read). */
export function squidCacheLines(cacheDir: string): string[] {
  return [
    `cache_dir ufs ${cacheDir} ${CACHE_MB} ${L1} ${L2}`,
    'maximum_object_size 4 GB',
    // ISOs, packages and images are carried whole, whatever their size
    'range_offset_limit none',
  ];
}

/** The snippet that serves the cache with no network: every object squid holds is answered without asking the origin. */
export function squidOfflineLines(cacheDir: string): string[] {
  return [...squidCacheLines(cacheDir), 'offline_mode on', 'refresh_pattern . 0 20% 4320 override-expire ignore-reload'];
}

export function squidSnippetText(): string {
  return (
    `# iios squid cache: include this in a squid.conf (\`iios offline\` does it for you) after replacing\n` +
    `# ${SQUID_CACHE_DIR_PLACEHOLDER} with the path of the "${SQUID_CACHE_SUBDIR}" folder beside this file, then restart squid.\n` +
    `# With offline_mode on, squid answers every URL this cache holds without contacting the origin.\n` +
    squidOfflineLines(SQUID_CACHE_DIR_PLACEHOLDER).join('\n') +
    '\n'
  );
}
