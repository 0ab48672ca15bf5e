// Whether the user who started iios may read a source file or folder, from its mode, owner and group: the
// helper reads sources as root, so without this rule a job could copy files that user cannot read (another
// user's home, /etc/shadow as a "payload", /root as a "cache") onto a stick they carry away. Pure: the helper
// gathers the facts (stat, the user's groups) and this decides, as the kernel's permission check does for mode
// bits (POSIX ACLs are not read: a file readable only through an ACL entry is refused).

export interface StartingUser {
  uid: number;
  /** Primary and supplementary group ids. */
  gids: number[];
}

export interface FileOwnership {
  /** st_mode (only the permission bits are used). */
  mode: number;
  uid: number;
  gid: number;
}

/** read: a file's content; search: pass through a folder; list: read a folder's names and pass through it. */
export type SourceAccess = 'read' | 'search' | 'list';

const NEEDED_BITS: Record<SourceAccess, number> = { read: 4, search: 1, list: 5 };

export function userMay(user: StartingUser, file: FileOwnership, access: SourceAccess): boolean {
  if (user.uid === 0) return true;
  // Only one class applies: the owner gets the owner bits even when "other" would allow more.
  const shift = file.uid === user.uid ? 6 : user.gids.includes(file.gid) ? 3 : 0;
  const bits = (file.mode >> shift) & 7;
  const need = NEEDED_BITS[access];
  return (bits & need) === need;
}

/** The users named by pkexec (PKEXEC_UID) and sudo (SUDO_UID), root left out; an id that is not a number throws. */
export function startingUids(env: Record<string, string | undefined>): number[] {
  const uids = new Set<number>();
  for (const name of ['PKEXEC_UID', 'SUDO_UID']) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (!/^\d{1,10}$/.test(value)) throw new Error(`${name}=${value} is not a user id`);
    if (Number(value) !== 0) uids.add(Number(value));
  }
  return [...uids];
}
