// The facts for the readable-by-user rule (src-shared/drives/readable-by.ts): who started iios (PKEXEC_UID or
// SUDO_UID, set by pkexec and sudo themselves, not by the app), that user's groups (`id -G`), and the mode,
// owner and group of each source path and of every folder above it. Every source is checked before the helper
// reads a byte of it. Started by root directly (no such variable), nothing is checked.
import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { startingUids, userMay, type SourceAccess, type StartingUser } from '../src-shared/drives/readable-by.ts';
import { run } from './tools/run.ts';

export class NotReadableError extends Error {
  override name = 'NotReadableError';
}

export interface SourceReadCheck {
  /** Who started iios (pkexec/sudo); empty when root started the helper itself. */
  users: StartingUser[];
  /** Throws NotReadableError unless each starting user may reach `path` (every folder above it) and read it. */
  check(path: string, access: 'read' | 'list'): Promise<void>;
  /** The same for an entry found while walking a folder already checked (its own mode only). */
  checkEntry(path: string, st: Stats, access: 'read' | 'list'): void;
}

async function groupsOf(uid: number, env: Record<string, string | undefined>): Promise<number[]> {
  try {
    const { stdout } = await run('id', ['-G', String(uid)]);
    return stdout.trim().split(/\s+/).map(Number).filter(Number.isSafeInteger);
  } catch {
    // No passwd entry for that id: only its primary group, when sudo told it.
    const gid = env.SUDO_UID === String(uid) && env.SUDO_GID && /^\d+$/.test(env.SUDO_GID) ? Number(env.SUDO_GID) : null;
    return gid === null ? [] : [gid];
  }
}

function notReadable(path: string, user: StartingUser, why: string): NotReadableError {
  return new NotReadableError(
    `${path} is not readable by the user who started iios (uid ${user.uid})${why}; ` +
      'iios reads sources as that user would: make it readable for them or choose a copy they can read',
  );
}

export async function sourceReadCheck(env: Record<string, string | undefined> = process.env): Promise<SourceReadCheck> {
  const users: StartingUser[] = [];
  for (const uid of startingUids(env)) users.push({ uid, gids: await groupsOf(uid, env) });
  /** Folders already found passable by every user (the same bundle folder is reached for each of its files). */
  const passable = new Set<string>();

  const verdict = (path: string, st: Stats, access: SourceAccess, why = '') => {
    for (const u of users) if (!userMay(u, st, access)) throw notReadable(path, u, why);
  };

  return {
    users,
    async check(path, access) {
      if (users.length === 0) return;
      // A missing path is left to the caller, which says what is missing when it reads it.
      const real = await realpath(path).catch(() => null);
      if (real === null) return;
      const folders: string[] = [];
      for (let d = dirname(real); !passable.has(d); d = dirname(d)) {
        folders.unshift(d);
        if (d === '/') break;
      }
      for (const d of folders) {
        verdict(path, await stat(d), 'search', `: the folder ${d} is closed to them`);
        passable.add(d);
      }
      verdict(path, await stat(real), access);
    },
    checkEntry(path, st, access) {
      verdict(path, st, access);
    },
  };
}
