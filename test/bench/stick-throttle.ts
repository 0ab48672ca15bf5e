// What the simulated sticks' throttle sees, and the root cgroup's limits that make it see everything. The blkio
// throttle of cgroup v1 (slow-sticks.sh's cgroup) does not see buffered writeback (a mounted Btrfs's writes,
// mtools's, a buffered loop's): the kernel charges it to the root cgroup, outside slow-sticks.sh's. So the same
// limits are set on the root cgroup for the sticks' devices only (cleared at the end), and a bench can say how
// many of each device's bytes went through a throttle. IIOS_BENCH_ROOT_THROTTLE=0 leaves the root alone.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';

const BLKIO = '/sys/fs/cgroup/blkio';
const CGROUPS = [`${BLKIO}/slow-sticks`, BLKIO];
export const ROOT_THROTTLE = process.env.IIOS_BENCH_ROOT_THROTTLE !== '0';

export interface DeviceBytes {
  read: number;
  written: number;
}

export const majMin = (dev: string) => execFileSync('lsblk', ['-dno', 'MAJ:MIN', dev], { encoding: 'utf8' }).replace(/\s/g, '');

/** Bytes read and written on a block device since boot (all of them, throttled or not; 512-byte sectors). */
export function deviceBytes(dev: string): DeviceBytes {
  const f = readFileSync(`/sys/block/${basename(dev)}/stat`, 'utf8').trim().split(/\s+/).map(Number);
  return { read: f[2]! * 512, written: f[6]! * 512 };
}

/** Bytes the throttles saw per device ("maj:min"): slow-sticks.sh's cgroup and, when it is limited too, the root's. */
export function throttledBytes(): Map<string, DeviceBytes> {
  const out = new Map<string, DeviceBytes>();
  const files = (ROOT_THROTTLE ? CGROUPS : CGROUPS.slice(0, 1)).map((c) => `${c}/blkio.throttle.io_service_bytes`).filter((f) => existsSync(f));
  const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
  for (const line of text.split('\n')) {
    const [mm, op, n] = line.trim().split(/\s+/);
    if (!mm || !n || !/^\d+:\d+$/.test(mm)) continue;
    const e = out.get(mm) ?? { read: 0, written: 0 };
    if (op === 'Read') e.read += Number(n);
    if (op === 'Write') e.written += Number(n);
    out.set(mm, e);
  }
  return out;
}

/** Sets (or with 0 clears) the root cgroup's limits on `devs`, so writeback to them runs at stick speed too. */
export function rootThrottle(devs: string[], writeMBps: number, readMBps: number): void {
  for (const d of devs) {
    writeFileSync(`${BLKIO}/blkio.throttle.write_bps_device`, `${majMin(d)} ${writeMBps * 1_000_000}`);
    writeFileSync(`${BLKIO}/blkio.throttle.read_bps_device`, `${majMin(d)} ${readMBps * 1_000_000}`);
  }
}
