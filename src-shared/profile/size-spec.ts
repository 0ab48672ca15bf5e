// Partition size expressions of image profiles: absolute ("2GiB", "512MiB", "1.5GiB"), relative to the
// content the partition receives from the bundle ("fit", "fit + 25%", "fit + 64MiB"), or "grow" (fills
// the rest of the stick). Exact integer arithmetic (BigInt) so that plans never depend on float rounding.

export type SizeSpec =
  | { kind: 'absolute'; bytes: number }
  | { kind: 'fit'; /** extra percentage in hundredths of a percent (25% = 2500) */ extraBasisPoints: number; extraBytes: number }
  | { kind: 'grow' };

export const SIZE_HINT = 'use 2GiB, 512MiB or "fit + 25%"';

const UNITS: Record<string, bigint> = {
  b: 1n,
  kib: 1024n,
  mib: 1024n ** 2n,
  gib: 1024n ** 3n,
  tib: 1024n ** 4n,
};

const ABSOLUTE = /^(\d+)(?:\.(\d{1,6}))?\s*([A-Za-z]+)$/;
const FIT = /^fit(?:\s*\+\s*(.+))?$/i;
const PERCENT = /^(\d+)(?:\.(\d{1,2}))?\s*%$/;

/** Bytes of an absolute size ("2GiB", "1.5 GiB", "4096B"), rounded up to a whole byte; null if not one. */
export function parseAbsoluteBytes(text: string): number | null {
  const m = ABSOLUTE.exec(text.trim());
  if (!m) return null;
  const unit = UNITS[m[3]!.toLowerCase()];
  if (unit === undefined) return null;
  const frac = m[2] ?? '';
  const scale = 10n ** BigInt(frac.length);
  const numerator = (BigInt(m[1]!) * scale + BigInt(frac || '0')) * unit;
  const bytes = (numerator + scale - 1n) / scale;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(bytes);
}

/** Parses a size expression; null when the text is not one. */
export function parseSizeSpec(text: string): SizeSpec | null {
  const t = text.trim();
  if (/^grow$/i.test(t)) return { kind: 'grow' };
  const fit = FIT.exec(t);
  if (fit) {
    const extra = fit[1]?.trim();
    if (extra === undefined) return { kind: 'fit', extraBasisPoints: 0, extraBytes: 0 };
    const pct = PERCENT.exec(extra);
    if (pct) {
      const bp = Number(pct[1]) * 100 + Number((pct[2] ?? '').padEnd(2, '0'));
      return { kind: 'fit', extraBasisPoints: bp, extraBytes: 0 };
    }
    const bytes = parseAbsoluteBytes(extra);
    return bytes === null ? null : { kind: 'fit', extraBasisPoints: 0, extraBytes: bytes };
  }
  const bytes = parseAbsoluteBytes(t);
  return bytes === null ? null : { kind: 'absolute', bytes };
}

/** "4GB", "512 mb": a size in decimal units, which a partition never takes (binary ones are meant, or not). */
export function decimalUnits(text: string): boolean {
  return /^\s*\d+(\.\d+)?\s*(k|m|g|t)b\s*$/i.test(text);
}

/** Why a text is not a size, for messages: decimal units get a hint towards binary ones. */
export function sizeProblem(text: string): string {
  if (decimalUnits(text)) {
    return `${JSON.stringify(text)} is not a size: decimal units are ambiguous for partitions (${SIZE_HINT})`;
  }
  return `${JSON.stringify(text)} is not a size (${SIZE_HINT})`;
}

/** Content-relative size: fit bytes plus the extra percentage (rounded up) plus extra bytes. */
export function resolveFit(spec: Extract<SizeSpec, { kind: 'fit' }>, fitBytes: number): number {
  const withPct = (BigInt(fitBytes) * BigInt(10000 + spec.extraBasisPoints) + 9999n) / 10000n;
  return Number(withPct) + spec.extraBytes;
}

/** Two size texts that mean the same thing (e.g. "fit+25%" and "fit + 25.0%"). */
export function sameSize(a: string, b: string): boolean {
  const x = parseSizeSpec(a);
  const y = parseSizeSpec(b);
  return x !== null && y !== null && JSON.stringify(x) === JSON.stringify(y);
}
