// Pure parsing of /proc/<pid>/mountinfo (proc(5)): one line per mount, its id, its device number, the folder of
// its filesystem it shows (btrfs: the subvolume), where it is mounted, and after the " - " its type and source.
// The helper finds the mount a path is on by its mount id (helpers/mount-source.ts) instead of starting a
// findmnt for each path.

export interface MountEntry {
  id: number;
  parentId: number;
  /** "major:minor" of the filesystem (0:N for filesystems without one block device, such as btrfs and tmpfs). */
  devNumber: string;
  /** The folder of the filesystem this mount shows ("/" unless a bind mount or a btrfs subvolume). */
  root: string;
  mountPoint: string;
  fsType: string;
  /** What it was mounted from: a device path, or a name such as "tmpfs" or "overlay". */
  source: string;
}

/** The kernel writes space, tab, newline and backslash in paths as \040, \011, \012 and \134. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The mounts by id; lines that do not have the documented shape are left out. */
export function parseMountinfo(text: string): Map<number, MountEntry> {
  const out = new Map<number, MountEntry>();
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    // optional fields (shared:N, master:N …) come between the options and the " - " separator
    const dash = fields.indexOf('-', 6);
    if (dash < 0 || fields.length < dash + 3) continue;
    const id = Number(fields[0]);
    const parentId = Number(fields[1]);
    if (!Number.isInteger(id) || !Number.isInteger(parentId) || !/^\d+:\d+$/.test(fields[2]!)) continue;
    out.set(id, {
      id,
      parentId,
      devNumber: fields[2]!,
      root: unescape(fields[3]!),
      mountPoint: unescape(fields[4]!),
      fsType: unescape(fields[dash + 1]!),
      source: unescape(fields[dash + 2]!),
    });
  }
  return out;
}
