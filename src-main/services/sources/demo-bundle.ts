// The embedded demo OS bundle: built from Debian packages by resources/demo-os/build.sh on first use and cached
// in .cache/demo-os/bundle/ (the script rebuilds only when one of its inputs changed).
import { join } from 'node:path';
import { appRoot, resourcesDir } from '../app/app-info.ts';
import { startTool } from '../run-tool.ts';

export interface EnsureDemoBundleOptions {
  /** Receives the build's progress lines (its stderr). */
  onLog?: (line: string) => void;
  signal?: AbortSignal;
}

let inFlight: Promise<string> | null = null;

/** Builds the demo bundle if needed and returns its directory (the last line build.sh prints). */
export function ensureDemoBundle(opts: EnsureDemoBundleOptions = {}): Promise<string> {
  // Concurrent callers in one process share one build; build.sh itself also locks across processes.
  inFlight ??= runBuild(opts).finally(() => {
    inFlight = null;
  });
  return inFlight;
}

async function runBuild(opts: EnsureDemoBundleOptions): Promise<string> {
  const script = join(resourcesDir(), 'demo-os', 'build.sh');
  const child = startTool('bash', [script], {
    cwd: appRoot(),
    stdin: 'ignore',
    reject: false,
    encoding: 'utf8',
    lines: false,
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer | string) => {
    const text = chunk.toString();
    stderr += text;
    if (opts.onLog) for (const line of text.split('\n')) if (line.trim()) opts.onLog(line);
  });
  const result = await child;
  if (result.isCanceled) throw new Error('iios: demo bundle build cancelled');
  if (result.exitCode !== 0) {
    const tail = stderr.trim().split('\n').slice(-15).join('\n');
    throw new Error(`iios: building the demo bundle failed (exit ${result.exitCode}):\n${tail}`);
  }
  const lines = String(result.stdout).trim().split('\n');
  const dir = lines[lines.length - 1]?.trim();
  if (!dir) throw new Error('iios: the demo bundle build printed no directory');
  return dir;
}
