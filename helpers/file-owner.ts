// Files the helper creates for the user (image files) belong to the user who started iios, not to root: otherwise
// they could not delete or rewrite their own image. Who that is comes from pkexec (PKEXEC_UID) or sudo
// (SUDO_UID/SUDO_GID), set by those tools and not by the app. The mode follows the process umask, which sudo and
// pkexec carry over from the user. Started by root directly (no such variable), the file stays root's.
import type { FileHandle } from 'node:fs/promises';
import { startingUids } from '../src-shared/drives/readable-by.ts';
import { run } from './tools/run.ts';

export interface FileOwner {
  uid: number;
  gid: number;
}

/** The user (and their primary group) who started iios through pkexec or sudo, or null. */
export async function startingOwner(env: Record<string, string | undefined> = process.env): Promise<FileOwner | null> {
  // pkexec is the innermost when both are set (sudo … then pkexec): it names who asked polkit.
  const fromPkexec = env.PKEXEC_UID && env.PKEXEC_UID !== '0' ? Number(env.PKEXEC_UID) : null;
  const uid = fromPkexec ?? startingUids(env)[0] ?? null;
  if (uid === null || process.getuid?.() !== 0) return null;
  if (uid !== fromPkexec && env.SUDO_GID && /^\d{1,10}$/.test(env.SUDO_GID)) return { uid, gid: Number(env.SUDO_GID) };
  const { stdout } = await run('id', ['-g', String(uid)]).catch(() => ({ stdout: '' }));
  const gid = Number(stdout.trim());
  if (!stdout.trim() || !Number.isSafeInteger(gid)) throw new Error(`cannot find the primary group of user ${uid} (id -g ${uid}); nothing was written`);
  return { uid, gid };
}

/** Gives a file the helper just created to the user who started iios (fchown: the open file, not a path). */
export async function giveToStartingUser(fh: FileHandle, env: Record<string, string | undefined> = process.env): Promise<void> {
  const owner = await startingOwner(env);
  if (owner) await fh.chown(owner.uid, owner.gid);
}

/**
 * The job log's line on how the helper got its rights: through pkexec (PKEXEC_UID) or sudo (SUDO_UID), both set by
 * those tools, or started by root itself. A log that says who asked and through what answers "why is this file
 * root's" and "was I asked for a password" without guessing.
 */
export function startedByLine(env: Record<string, string | undefined>, uid = process.getuid?.() ?? -1): string {
  const as = uid === 0 ? 'root' : `uid ${uid}`;
  if (env.PKEXEC_UID && env.PKEXEC_UID !== '0') return `helper running as ${as}, started through pkexec for uid ${env.PKEXEC_UID} (PKEXEC_UID=${env.PKEXEC_UID})`;
  if (env.SUDO_UID && env.SUDO_UID !== '0') return `helper running as ${as}, started through sudo for uid ${env.SUDO_UID} (SUDO_UID=${env.SUDO_UID})`;
  return `helper running as ${as}, started without pkexec or sudo`;
}
