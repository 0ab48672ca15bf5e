// The started helper as elevation hands it to the job service: how it was started, how it ended. In a file of
// its own so the elevation routes (elevation.ts, terminal-sudo.ts) share these types without importing each other.
import type { ElevationFailure } from './elevation-failure.ts';

export interface HelperCommand {
  file: string;
  args: string[];
  cwd: string;
  /** Extra environment (a packaged build runs the helper with Electron's binary as plain Node). */
  env?: Record<string, string>;
}

export interface HelperExit {
  code: number | null;
  signal: string | null;
  /** The user refused to elevate (dismissed or failed the password prompt). */
  cancelled: boolean;
  message?: string;
  stderr: string;
  /** Why elevation failed, when the exit looks like the elevation tool's own (used only if the helper never connected). */
  elevation?: ElevationFailure;
}

export interface HelperProcess {
  /** Settles when the helper has exited; never rejects. */
  exited: Promise<HelperExit>;
  /** Stops the helper when we can (only a directly started one; an elevated one stops when its socket closes). */
  kill(): void;
  pid?: number;
}
