// Human sizes for the wizard, in decimal units like the labels printed on sticks ("16 GB").
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 || v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** "62 %" with the value clamped to 0–100 and no decimals, so the text width stays stable. */
export function formatPercent(done: number, total: number): string {
  if (!(total > 0)) return '0 %';
  return `${Math.min(100, Math.max(0, Math.floor((done / total) * 100)))} %`;
}

/** The last path element, for short labels. */
export function baseName(path: string): string {
  const parts = path.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? path;
}
