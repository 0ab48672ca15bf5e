// The job's log of the commands the helper runs: each command line before it runs and a failing tool's exit
// and stderr after, sent to the app as `log` events (the app writes the log file: the helper is root and
// leaves no files in the user's home). A run is put to its target by its cancel signal (TargetCtx names it).
import type { JobEvent } from '../../src-shared/job/events.ts';

type LogEvent = Extract<JobEvent, { kind: 'log' }>;
let sink: ((e: LogEvent) => void) | null = null;
const targets = new WeakMap<AbortSignal, string>();

/** Where the job's command log goes (null: nowhere, e.g. the helper's functions called from tests). */
export function setCommandLog(fn: ((e: LogEvent) => void) | null): void {
  sink = fn;
}

/** The runs with this cancel signal are that target's. */
export function nameSignal(signal: AbortSignal, targetId: string): void {
  targets.set(signal, targetId);
}

/** A shell-readable line: words quoted only where a shell would need it (it is never run by a shell). */
export function commandLine(...commands: [string, readonly string[]][]): string {
  const word = (w: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`);
  return commands.map(([tool, args]) => [tool, ...args].map(word).join(' ')).join(' | ');
}

function send(signal: AbortSignal | undefined, level: LogEvent['level'], message: string): void {
  const targetId = signal ? targets.get(signal) : undefined;
  sink?.({ kind: 'log', level, message, ...(targetId ? { targetId } : {}) });
}

export function logCommand(signal: AbortSignal | undefined, line: string, input?: string | Buffer): void {
  const stdin = typeof input === 'string' ? ` <<< ${JSON.stringify(input)}` : input ? ` < (${input.length} bytes)` : '';
  send(signal, 'debug', `$ ${line}${stdin}`);
}

/** Logs a tool's failure with its whole stderr (the error message keeps only its last lines); returns the error. */
export function logFailure<E extends Error & { tool: string; args: readonly string[]; exitCode: number | null; stderr: string; cancelled: boolean }>(signal: AbortSignal | undefined, err: E): E {
  const how = err.cancelled ? 'was cancelled' : `failed (exit ${err.exitCode ?? 'signal'})`;
  const stderr = err.stderr.trim();
  send(signal, 'info', `${commandLine([err.tool, err.args])} ${how}${stderr ? `; stderr:\n${stderr.slice(-8000)}` : ''}`);
  return err;
}
