// The CLI's second way to root: when polkit cannot show a prompt (pkexec missing, no polkit authority, no
// authentication agent), `sudo` asks for the password in the terminal the user is typing in. Only the prompt uses
// the terminal (sudo reads /dev/tty): the job and its progress still travel over the helper's private socket. With
// --yes and no terminal, `sudo -n` fails at once instead of waiting for a prompt that cannot appear. sudo sets
// SUDO_UID/SUDO_GID, so the helper knows whose files it creates.
import { startTool } from '../run-tool.ts';
import type { HelperCommand, HelperExit, HelperProcess } from './helper-process.ts';
import { bothFailed, classifyElevationExit, polkitCannotPrompt } from './elevation-failure.ts';

export interface TerminalSudo {
  /** stdin is a terminal: sudo may prompt there. Otherwise `sudo -n`. */
  terminal: boolean;
  /** The sudo binary (default `sudo`, looked up on PATH). */
  sudo?: string;
  /** Where sudo's own complaints ("Sorry, try again.") are shown (default: process.stderr). */
  echo?: (line: string) => void;
  /** sudo's password prompt (-p; %u is the user), e.g. naming a developer setup. */
  prompt?: string;
}

/** `sudo [-n] -- [env K=V…] <file> <args…>`: the command as the helper runs it, started in its folder. */
export function sudoArgs(cmd: HelperCommand, args: string[], terminal: boolean, prompt?: string): string[] {
  const env = Object.entries(cmd.env ?? {}).map(([k, v]) => `${k}=${v}`);
  return [...(terminal ? [] : ['-n']), ...(prompt ? ['-p', prompt] : []), '--', ...(env.length ? ['/usr/bin/env', ...env] : []), cmd.file, ...args];
}

export function startThroughSudo(cmd: HelperCommand, args: string[], opts: TerminalSudo): HelperProcess {
  const echo = opts.echo ?? ((l: string) => void process.stderr.write(`${l}\n`));
  // Not detached at a terminal: sudo reads the password from the controlling terminal (/dev/tty). Its stdin is
  // not the terminal: with stdin a terminal, sudo's use_pty (Debian's default) puts the terminal in raw mode for the
  // whole run and a Ctrl-C never reaches `iios write`, which cancels the job through the socket.
  const child = startTool(opts.sudo ?? 'sudo', sudoArgs(cmd, args, opts.terminal, opts.prompt), {
    cwd: cmd.cwd,
    reject: false,
    detached: !opts.terminal,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const textChunk = chunk.toString('utf8');
    stderr += textChunk;
    for (const line of textChunk.split('\n')) if (/^(sudo:|Sorry, try again)/.test(line)) echo(line);
  });
  const exited = Promise.resolve(child).then((r): HelperExit => {
    const code = r.exitCode ?? null;
    const elevation = classifyElevationExit({ tool: 'sudo', code, message: r.failed && code === null ? r.message : undefined, stderr }) ?? undefined;
    return { code, signal: r.signal ?? null, cancelled: elevation?.reason === 'dismissed', message: elevation?.message, stderr, elevation };
  });
  // The helper runs as root: closing the socket makes it cancel and exit.
  return { exited, kill: () => undefined, pid: child.pid };
}

/**
 * Tries polkit first (a desktop agent shows iios's own prompt); when polkit cannot prompt at all, sudo. The helper
 * is then started once: a polkit failure means it never ran. When both fail, the message names both ways out.
 */
export function withTerminalSudo(viaPolkit: () => HelperProcess, cmd: HelperCommand, args: string[], opts: TerminalSudo): HelperProcess {
  let current = viaPolkit();
  const exited = current.exited.then(async (first) => {
    if (!polkitCannotPrompt(first.elevation)) return first;
    current = startThroughSudo(cmd, args, opts);
    const second = await current.exited;
    if (!second.elevation) return second;
    const both = bothFailed(first.elevation!, second.elevation);
    return { ...second, cancelled: both.reason === 'dismissed', message: both.message, elevation: both };
  });
  return { exited, kill: () => current.kill(), get pid() { return current.pid; } };
}
