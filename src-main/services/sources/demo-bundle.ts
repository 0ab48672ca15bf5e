// The embedded demo OS bundle: built from Debian packages by resources/demo-os/build.sh on first use and cached
// in .cache/demo-os/bundle/ (the script rebuilds only when one of its inputs changed). The script runs with
// IIOS_DEMO_EVENTS=1: its own progress and stop reasons come as typed lines (src-shared/demo/demo-build-line.ts)
// that the caller says in its reader's language; the tools' output around them is kept for a failure's report.
import { join } from 'node:path';
import type { ErrorDetailsOf } from '../../../src-shared/contract/error-details.ts';
import { parseDemoBuildLine, type DemoBuildLine, type DemoBuildStop } from '../../../src-shared/demo/demo-build-line.ts';
import { demoBuildErrorWords } from '../../../src-shared/errors/demo-build-words.ts';
import { appRoot, resourcesDir } from '../app/app-info.ts';
import { startTool } from '../run-tool.ts';

export interface EnsureDemoBundleOptions {
  /** Receives the build's own progress, typed. */
  onLine?: (line: DemoBuildLine) => void;
  signal?: AbortSignal;
}

/** The tools' lines a failed build reports with its reason (the last ones say what went wrong). */
const OUTPUT_LINES = 15;

/** A demo OS build that failed, typed (its message in this process's language, for logs). */
export class DemoBuildError extends Error {
  constructor(readonly details: ErrorDetailsOf<'demo-build'>) {
    super(demoBuildErrorWords(details));
  }
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
    env: { IIOS_DEMO_EVENTS: '1' },
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
  const output: string[] = [];
  let stop: DemoBuildStop | undefined;
  let partial = '';
  const take = (text: string): void => {
    if (!text.trim()) return;
    const parsed = parseDemoBuildLine(text);
    if (parsed.kind === 'line') opts.onLine?.(parsed.line);
    else if (parsed.kind === 'stop') stop = parsed.stop;
    else output.push(text);
    if (output.length > OUTPUT_LINES) output.shift();
  };
  child.stderr?.on('data', (chunk: Buffer | string) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) take(l);
  });
  const result = await child;
  take(partial);
  if (result.isCanceled) throw new DemoBuildError({ kind: 'demo-build', why: 'cancelled' });
  if (result.exitCode !== 0) {
    throw new DemoBuildError({ kind: 'demo-build', why: 'stopped', ...(stop ? { stop } : {}), ...(result.exitCode === undefined ? {} : { exitCode: result.exitCode }), ...(output.length ? { output: output.join('\n') } : {}) });
  }
  const lines = String(result.stdout).trim().split('\n');
  const dir = lines[lines.length - 1]?.trim();
  if (!dir) throw new DemoBuildError({ kind: 'demo-build', why: 'no-dir' });
  return dir;
}
