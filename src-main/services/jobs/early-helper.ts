// The helper the CLI started before its bundle loaded (src-main/cli/early-helper.mjs), for the job service to
// take: taken at most once; null when none was started (the app, `iios serve`, a CLI that is not root …).
import type { HelperProcess } from '../elevation/helper-process.ts';

export interface EarlyHelper {
  /** The private (0700) folder whose helper.sock the helper connects to. */
  dir: string;
  helper: HelperProcess;
  take(): void;
}

const KEY = Symbol.for('iios.earlyHelper');

export function takeEarlyHelper(): EarlyHelper | null {
  const g = globalThis as unknown as Record<symbol, EarlyHelper | null | undefined>;
  const early = g[KEY] ?? null;
  g[KEY] = null;
  early?.take();
  return early;
}
