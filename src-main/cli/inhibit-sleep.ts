// The computer must not suspend while `iios write` runs: a sleeping laptop leaves every stick half-written.
// systemd-inhibit holds a logind "sleep:idle" block for as long as its child lives; the child is a `sleep` that
// iios kills when the job ends. Where there is no systemd-inhibit or no logind (a container, another init),
// the job runs anyway and the caller is told why sleep is not blocked.
import { spawn } from 'node:child_process';

export interface SleepBlock {
  /** null when sleep is blocked; otherwise why not (for one line of output). */
  problem: string | null;
  release(): void;
}

/** Waits up to `settleMs` for systemd-inhibit to fail (no bus, not allowed); if it is still running, the block holds. */
export async function inhibitSleep(why: string, settleMs = 400, command = 'systemd-inhibit'): Promise<SleepBlock> {
  const child = spawn(command, ['--what=sleep:idle', '--who=iios', `--why=${why}`, '--mode=block', 'sleep', 'infinity'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const ended = await new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), settleMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve(`${command} is not available (${err.message})`);
    });
    // 'close', not 'exit': by then stderr has been read to its end.
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(`${command} exited ${code}: ${stderr.trim() || 'no reason given'}`);
    });
  });
  if (ended !== null) return { problem: `the computer may sleep during the job: ${ended}`, release: () => {} };
  child.unref();
  return {
    problem: null,
    release: () => {
      // Killing the process group's leader releases logind's block; its `sleep` child goes with the bus name.
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}
