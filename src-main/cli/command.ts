// The shape of one `iios` subcommand: parsed argv in, exit code out.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(args: { values: Record<string, unknown>; positionals: string[] }, io: CommandIO): Promise<number>;
}

/** A user-facing failure: printed as "iios: <message>" without a stack, exit code 1 (or the given one). */
export class UsageError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

export function parseCommandArgs(cmd: Command, argv: string[]) {
  return parseArgs({ args: argv, options: cmd.options, allowPositionals: true, strict: true });
}
