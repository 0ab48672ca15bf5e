// Types of ensure-built.mjs (plain JavaScript so it runs before anything is built) for the TypeScript that uses it.
export type BundleName = 'main' | 'preload' | 'helper' | 'cli';
export const BUNDLES: Record<BundleName, { entry: string; outfile: string }>;
export function inputsFileOf(outfile: string): string;
export function isCheckout(root: string): boolean;
export function staleReason(root: string, name: BundleName): string | null;
export function withBuildLock<T>(root: string, fn: () => T, opts?: { timeoutMs?: number }): T;
export function ensureBuilt(root: string, names?: BundleName[]): BundleName[];
export function rendererStaleReason(root: string): string | null;
export function ensureRenderer(root: string): boolean;
