// Entry of the `iios` command: dispatches to a subcommand, prints user errors without stacks.
// The commands are imported only once one is asked for: in the bundle their modules (zod schemas, execa, ws…)
// then initialise only when needed, so `iios --version` starts in the time Node itself takes.
import type { Command } from './command.ts';
import { parseCommandArgs, UsageError, type CommandIO } from './command.ts';
import { appVersion } from '../services/app/app-info.ts';
import { cliErrorText } from './error-text.ts';
import { localeFromEnv, setLocale, t } from '../../src-shared/i18n/index.ts';

function help(commands: Record<string, Command>): string {
  const names = Object.keys(commands).sort();
  const width = Math.max(...names.map((n) => n.length));
  return [
    t('cli.help.title'),
    '',
    t('cli.help.usage'),
    '',
    ...names.map((n) => `  ${n.padEnd(width)}  ${commands[n]!.summary}`),
    '',
    t('cli.help.more'),
  ].join('\n');
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    io.stdout.write(`iios ${appVersion()}\n`);
    return 0;
  }
  const { allCommands, loadCommand } = await import('./commands/index.ts');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help(await allCommands()) + '\n');
    return name ? 0 : 2;
  }
  // Only the command asked for is loaded (its modules initialise); the help text needs them all.
  const cmd = await loadCommand(name);
  if (!cmd) {
    io.stderr.write(`iios: ${t('cli.unknownCommand', { name })}\n\n${help(await allCommands())}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${t('cli.usageLine', { usage: cmd.usage })}\n\n${cmd.summary}\n`);
    return 0;
  }
  try {
    const parsed = parseCommandArgs(cmd, rest);
    return await cmd.run(parsed as { values: Record<string, unknown>; positionals: string[] }, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`iios: ${err.message}\n`);
      return err.exitCode;
    }
    const e = err as Error & { code?: string };
    if (e.code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`iios ${name}: ${e.message}\n${t('cli.usageLine', { usage: cmd.usage })}\n`);
      return 2;
    }
    io.stderr.write(`iios ${name}: ${cliErrorText(e)}\n`);
    return 1;
  }
}

// The terminal's language (LC_ALL, LC_MESSAGES, LANG), for messages and for sizes, dates and times.
setLocale(localeFromEnv(process.env));
const io: CommandIO = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`iios: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
