// A system D-Bus and polkitd for the pkexec tests, started only when none runs, and stopped (by the pids started
// here) afterwards; plus rules.d rules for one user, removed afterwards.
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';

const SOCKET = '/run/dbus/system_bus_socket';
export const POLKITD = '/usr/lib/polkit-1/polkitd';

export interface SystemPolkit {
  /** Puts a rules.d rule for `user` running pkexec: YES or NO (replacing the previous one). */
  rule(user: string, result: 'YES' | 'NO'): Promise<void>;
  stop(): Promise<void>;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await sleep(100)) if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

export async function startSystemPolkit(): Promise<SystemPolkit> {
  if (existsSync(SOCKET)) throw new Error(`${SOCKET} exists: a system bus already runs; this test starts its own only where none does`);
  const ruleFile = `/etc/polkit-1/rules.d/49-iios-test-${process.pid}.rules`;
  await mkdir('/run/dbus', { recursive: true });
  const dbus = execa('dbus-daemon', ['--system', '--nofork', '--nopidfile'], { reject: false, stdio: 'ignore' });
  const stops: (() => Promise<unknown>)[] = [
    async () => {
      dbus.kill('SIGTERM');
      await dbus;
      await rm(SOCKET, { force: true });
    },
  ];
  const stop = async () => {
    while (stops.length) await stops.pop()!().catch(() => undefined);
  };
  try {
    await waitFor(() => existsSync(SOCKET), 'the system bus socket');
    const polkitd = execa(POLKITD, ['--no-debug'], { reject: false, stdio: 'ignore' });
    stops.push(async () => {
      polkitd.kill('SIGTERM');
      await polkitd;
    });
    stops.push(() => rm(ruleFile, { force: true }));
    await waitFor(async () => (await execa('busctl', ['--system', 'status', 'org.freedesktop.PolicyKit1'], { reject: false })).exitCode === 0, 'polkitd on the bus');
    return {
      async rule(user, result) {
        await writeFile(ruleFile, `polkit.addRule(function (action, subject) {\n  if (subject.user == "${user}" && action.id == "org.freedesktop.policykit.exec") return polkit.Result.${result};\n});\n`);
        // polkitd reloads rules.d when it changes (inotify): wait until it answers for the user as the rule says
        // (pkcheck on a process of theirs: 0 authorized, 1 not authorized).
        const want = result === 'YES' ? 0 : 1;
        const check = () => execa('runuser', ['-u', user, '--', '/bin/sh', '-c', 'exec pkcheck --action-id org.freedesktop.policykit.exec --process $$'], { reject: false });
        await waitFor(async () => (await check()).exitCode === want, `polkitd to apply the ${result} rule for ${user}`, 30_000);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
