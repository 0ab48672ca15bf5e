// The job's log: one file per job under the user's state folder ($XDG_STATE_HOME/iios/jobs, by default
// ~/.local/state/iios/jobs), named <time>-<job id>.log. The app writes it, not the helper: the helper runs as
// root and would leave root-owned files in the user's home. It holds every command line the helper ran (its
// `log` events), each tool's stderr when it failed, the phases and the outcome, so a failed stick can be
// diagnosed from its log alone. Progress events are left out (many, and the phases say where a target was).
import { createWriteStream, type WriteStream } from 'node:fs';
import { chown, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { JobEvent } from '../../../src-shared/job/events.ts';

/** $XDG_STATE_HOME/iios/jobs, or ~/.local/state/iios/jobs when it is unset or not absolute (as the XDG spec says). */
export function jobLogDir(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  const state = env.XDG_STATE_HOME?.startsWith('/') ? env.XDG_STATE_HOME : join(home, '.local', 'state');
  return join(state, 'iios', 'jobs');
}

/** 20261202T134501Z-<id>.log: sorts by time; the id keeps two jobs of one second apart. */
export function jobLogName(jobId: string, now: Date): string {
  const time = now.toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(/[-:]/g, '');
  return `${time}-${jobId.replaceAll(/[^A-Za-z0-9._-]/g, '_')}.log`;
}

/** One line of the log for an event, or null for the events it leaves out. */
export function jobLogLine(e: JobEvent, now: Date): string | null {
  const at = now.toISOString();
  const who = 'targetId' in e && e.targetId ? ` [${e.targetId}]` : '';
  switch (e.kind) {
    case 'progress':
      return null;
    case 'log':
      return `${at}${who} ${e.level}: ${e.message}`;
    case 'phase':
      return `${at}${who} phase ${e.phase}`;
    case 'target-failed':
      return `${at}${who} FAILED${e.cancelled ? ' (cancelled)' : ''}: ${e.message}`;
    case 'target-done':
      return `${at}${who} done${e.verified ? ', verified' : ''}`;
    case 'error':
      return `${at} error: ${e.message}`;
    case 'done':
      return `${at} job done: ${e.results.map((r) => `${r.targetId} ${r.ok ? 'ok' : `failed (${r.message ?? '?'})`}`).join(', ')}`;
  }
}

/**
 * `sudo iios write` runs as root with the user's HOME: what it creates there goes to the user who ran sudo,
 * so no root-owned file is left in a user's home. (pkexec and the app as a user need nothing: the app is the user.)
 */
async function giveToSudoUser(firstMade: string | undefined, dir: string, file: string): Promise<void> {
  const uid = Number(process.env.SUDO_UID);
  const gid = Number(process.env.SUDO_GID ?? process.env.SUDO_UID);
  if (process.getuid?.() !== 0 || !Number.isInteger(uid) || uid <= 0 || !Number.isInteger(gid)) return;
  if (!process.env.HOME || !file.startsWith(`${process.env.HOME}/`)) return;
  const paths = [file];
  if (firstMade) for (let d = dir; d.length >= firstMade.length; d = join(d, '..')) paths.push(d);
  for (const p of paths) await chown(p, uid, gid).catch(() => undefined);
}

export class JobLog {
  private constructor(
    readonly path: string,
    private readonly out: WriteStream,
  ) {}

  /** Creates the folder (private to the user) and the file; the header names the job and its targets. */
  static async open(dir: string, job: { jobId: string; kind?: string; profile?: { id: string }; targets?: { id: string; path: string; hostname?: string }[]; target?: { id: string; path: string } }, now = new Date()): Promise<JobLog> {
    const made = await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, jobLogName(job.jobId, now));
    const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      out.once('open', () => resolve());
      out.once('error', reject);
    });
    await giveToSudoUser(made, dir, path);
    const log = new JobLog(path, out);
    log.line(`${now.toISOString()} iios ${job.kind ? `${job.kind} ` : ''}job ${job.jobId}${job.profile ? `, profile ${job.profile.id}` : ''}`);
    for (const t of job.targets ?? []) log.line(`${now.toISOString()} [${t.id}] target ${t.path}${t.hostname ? ` (${t.hostname})` : ''}`);
    if (job.target) log.line(`${now.toISOString()} [${job.target.id}] stick ${job.target.path}`);
    return log;
  }

  /** A line of the app's own (e.g. that the helper comes from a developer setup). */
  note(text: string, now = new Date()): void {
    this.line(`${now.toISOString()} ${text}`);
  }

  event(e: JobEvent, now = new Date()): void {
    const line = jobLogLine(e, now);
    if (line !== null) this.line(line);
  }

  private line(text: string): void {
    if (!this.out.writable) return;
    this.out.write(`${text}\n`);
  }

  async close(): Promise<void> {
    if (this.out.closed) return;
    await new Promise<void>((resolve) => this.out.end(() => resolve()));
  }
}
