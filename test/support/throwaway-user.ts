// A throwaway unprivileged user for the elevation tests: root sets the stage (the user, a home of their own, an
// optional sudoers.d rule, a PATH without chosen tools) and removes all of it afterwards, even when a test failed.
import { mkdtemp, readdir, rm, symlink, writeFile, chmod, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface ThrowawayUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** Lets the user run anything as root through sudo, without a password (removed by cleanup). */
  allowSudo(): Promise<void>;
  /** Gives the user this password and lets them run anything as root through sudo after typing it. */
  allowSudoWithPassword(password: string): Promise<void>;
  /** A folder of links to every tool in /usr/bin except those named: a PATH where they are missing. */
  pathWithout(tools: string[]): Promise<string>;
  /** Runs a command as the user, with a clean environment (no terminal: stdin is closed). */
  run(file: string, args: string[], env?: Record<string, string>, opts?: RunAsOptions): Promise<{ exitCode: number; stdout: string; stderr: string; ms: number }>;
  cleanup(): Promise<void>;
}

export interface RunAsOptions {
  /** The user's umask for this run (default: root's, 022). */
  umask?: string;
  /** Run inside a terminal (a pty from script(1)); each `typed` is typed into it, in turn, once the output shows its `when`. */
  terminal?: { when: RegExp; typed: string }[];
}

export async function makeThrowawayUser(prefix = 'iiost'): Promise<ThrowawayUser> {
  const name = `${prefix}${process.pid % 100000}${Math.floor(Math.random() * 1000)}`;
  const base = await mkdtemp(join(tmpdir(), 'iios-user-'));
  await chmod(base, 0o755);
  const home = join(base, 'home');
  const sudoers = `/etc/sudoers.d/${name}`;
  const undo: (() => Promise<unknown>)[] = [() => rm(base, { recursive: true, force: true })];
  const cleanup = async () => {
    while (undo.length) await undo.pop()!().catch(() => undefined);
  };
  try {
    await execa('useradd', ['--create-home', '--home-dir', home, '--shell', '/bin/sh', '--user-group', name]);
    undo.push(() => execa('userdel', ['--force', name]));
    undo.push(() => execa('groupdel', [name]).catch(() => undefined));
    const uid = Number((await execa('id', ['-u', name])).stdout.trim());
    const gid = Number((await execa('id', ['-g', name])).stdout.trim());
    return {
      name,
      uid,
      gid,
      home,
      async allowSudo() {
        undo.push(() => rm(sudoers, { force: true }));
        await writeFile(sudoers, `${name} ALL=(root) NOPASSWD: ALL\n`, { mode: 0o440 });
        await execa('visudo', ['-c', '-f', sudoers]);
      },
      async allowSudoWithPassword(password) {
        await execa('chpasswd', { input: `${name}:${password}\n` });
        undo.push(() => rm(sudoers, { force: true }));
        await writeFile(sudoers, `${name} ALL=(root) ALL\n`, { mode: 0o440 });
        await execa('visudo', ['-c', '-f', sudoers]);
      },
      async pathWithout(tools) {
        const dir = join(base, `bin-without-${tools.join('-')}`);
        await mkdir(dir, { mode: 0o755 });
        for (const entry of await readdir('/usr/bin')) if (!tools.includes(entry)) await symlink(join('/usr/bin', entry), join(dir, entry));
        return dir;
      },
      async run(file, args, env = {}, opts = {}) {
        const t0 = Date.now();
        const envArgs = ['/usr/bin/env', '-i', `HOME=${home}`, `USER=${name}`, 'PATH=/usr/local/bin:/usr/bin:/bin', ...Object.entries(env).map(([k, v]) => `${k}=${v}`)];
        const inner = ['/bin/sh', '-c', `umask ${opts.umask ?? '022'} && exec "$@"`, 'sh', file, ...args];
        // script(1) gives the command a pty as its controlling terminal and types stdin into it.
        const shellLine = (words: string[]) => words.map((w) => `'${w.replaceAll("'", "'\\''")}'`).join(' ');
        const command = opts.terminal === undefined ? [...envArgs, ...inner] : ['/usr/bin/script', '-qec', shellLine([...envArgs, ...inner]), '/dev/null'];
        const child = execa('runuser', ['-u', name, '--', ...command], {
          reject: false,
          stdin: opts.terminal === undefined ? 'ignore' : 'pipe',
          cwd: home,
          timeout: 300_000,
        });
        const answers = [...(opts.terminal ?? [])];
        let seen = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          seen += chunk.toString('utf8');
          const next = answers[0];
          if (!next || !next.when.test(seen)) return;
          answers.shift();
          seen = '';
          child.stdin?.write(next.typed);
        });
        const r = await child;
        return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), ms: Date.now() - t0 };
      },
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
