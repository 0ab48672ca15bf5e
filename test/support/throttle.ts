// Slow sticks for tests: loop devices throttled by a blkio cgroup (v1) of this test process, as a slow USB
// stick is. The whole process (its I/O threads too) is moved into the group while `fn` runs, and back after.
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';

const ROOT = '/sys/fs/cgroup/blkio';

/** Runs `fn` with writes to each device in `writeMBps` limited to that many MB/s (reads to `readMBps` if given). */
export async function withThrottle<T>(writeMBps: Record<string, number>, fn: () => Promise<T>, readMBps: Record<string, number> = {}): Promise<T> {
  const own = readFileSync('/proc/self/cgroup', 'utf8').match(/^\d+:blkio:(.*)$/m)?.[1];
  if (own === undefined) throw new Error('no blkio cgroup (v1) here: the slow-stick tests need one');
  const group = `${ROOT}/iios-test-${process.pid}`;
  mkdirSync(group, { recursive: true });
  try {
    for (const [limits, file] of [[writeMBps, 'blkio.throttle.write_bps_device'], [readMBps, 'blkio.throttle.read_bps_device']] as const) {
      for (const [dev, mbps] of Object.entries(limits)) {
        const mm = (await execa('lsblk', ['-dno', 'MAJ:MIN', dev])).stdout.trim();
        writeFileSync(`${group}/${file}`, `${mm} ${Math.round(mbps * 1e6)}`);
      }
    }
    writeFileSync(`${group}/cgroup.procs`, String(process.pid));
    try {
      return await fn();
    } finally {
      writeFileSync(`${ROOT}${own === '/' ? '' : own}/cgroup.procs`, String(process.pid));
    }
  } finally {
    rmdirSync(group);
  }
}
