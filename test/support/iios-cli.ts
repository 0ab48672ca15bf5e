// Runs the `iios` command as a user would: a child process of src-main/cli/iios.mjs, which runs the built
// dist/cli/main.cjs and rebuilds it first when the sources are newer (ensure-built.mjs).
import { join, resolve } from 'node:path';
import { execa, type ResultPromise } from 'execa';

export const REPO = resolve(import.meta.dirname, '../..');
const ENTRY = join(REPO, 'src-main', 'cli', 'iios.mjs');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function iios(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const r = await execa(process.execPath, [ENTRY, ...args], {
    reject: false,
    ...(opts.env ? { env: opts.env } : {}),
    stdin: 'ignore',
    timeout: opts.timeoutMs ?? 300_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Starts `iios` without waiting (to signal it mid-run); output is collected on the returned promise. */
export function iiosSpawn(args: string[]): ResultPromise {
  // its own process group, so a test can signal the whole group the way a terminal's Ctrl-C does
  return execa(process.execPath, [ENTRY, ...args], { reject: false, stdin: 'ignore', buffer: true, detached: true });
}

/** `iios inspect --json` parsed. */
export async function inspectJson(target: string): Promise<{
  complete: boolean;
  layout: { partitions: { name: string; typeGuid: string }[] } | null;
  stamp: null | { complete: boolean; profile: string; hostname: string; slots: Record<string, { rootHash?: string; bundle?: string; version?: string }> };
}> {
  const r = await iios(['inspect', target, '--json']);
  if (r.exitCode !== 0) throw new Error(`iios inspect failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as never;
}
