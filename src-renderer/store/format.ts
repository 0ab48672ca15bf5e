// Small text helpers of the wizard (sizes: src-shared/format/bytes.ts).

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
