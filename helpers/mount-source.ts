// The device a path's filesystem is mounted from: what `findmnt -n -o SOURCE -T <path>` prints, without
// starting a process per path (four or more per job, 10-40 ms each). The mount is found by its id, which the
// kernel gives for the path opened with O_PATH (/proc/self/fdinfo): the mount the path is really reached
// through, a mount over another or a bind mount included, where findmnt walks up the folders to the first one
// on another device.
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { parseMountinfo, type MountEntry } from '../src-shared/drives/mountinfo.ts';

/** Linux's O_PATH (not in Node's fs.constants): opens the path itself, reads nothing, blocks on nothing. */
const O_PATH = 0o10000000;

/** The id of the mount `path` is on, or null when it cannot be opened (absent, no permission). */
export function mountIdOf(path: string): number | null {
  let fd: number;
  try {
    fd = openSync(path, O_PATH);
  } catch {
    return null;
  }
  try {
    const id = /^mnt_id:\s*(\d+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
    return id === undefined ? null : Number(id);
  } finally {
    closeSync(fd);
  }
}

/**
 * The mount's device as findmnt names it: its source when that is a device node; otherwise, for a filesystem on
 * one block device, the node of its device number (the kernel says "/dev/root" for a root given as a number,
 * and findmnt then names the real device too); else the source as it is (tmpfs, overlay …: no disk).
 */
export function deviceOfMount(m: MountEntry, sysRoot = '/sys'): string {
  if (m.source.startsWith('/dev/') && existsSync(m.source)) return m.source;
  if (!m.devNumber.startsWith('0:')) {
    try {
      const name = /^DEVNAME=(.+)$/m.exec(readFileSync(`${sysRoot}/dev/block/${m.devNumber}/uevent`, 'utf8'))?.[1];
      if (name) return `/dev/${name}`;
    } catch {
      /* not a block device's number */
    }
  }
  return m.source;
}

/** The source of the filesystem holding `path` (see deviceOfMount), or null when it cannot be told. */
export function mountSourceOf(path: string): string | null {
  const id = mountIdOf(path);
  if (id === null) return null;
  const mount = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).get(id);
  return mount ? deviceOfMount(mount) : null;
}
