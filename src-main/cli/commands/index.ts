// Every `iios` subcommand, by name. Each lives in its own file and exports a Command.
import type { Command } from '../command.ts';
import { versionCommand } from './version.ts';
import { inspectCommand } from './inspect.ts';
import { verifyCommand } from './verify.ts';
import { drivesCommand } from './drives.ts';
import { serveCommand } from './serve.ts';
import { planCommand } from './plan.ts';
import { writeCommand } from './write.ts';
import { demoCommand } from './demo.ts';
import { cloneCommand } from './clone.ts';
import { repairCommand, resetCommand } from './repair.ts';
import { cachesCommand } from './caches.ts';
import { offlineCommand } from './offline.ts';
import { payloadCommand, updateCommand } from './update.ts';
import { bundleCommand } from './bundle.ts';

export const commands: Record<string, Command> = {
  version: versionCommand,
  inspect: inspectCommand,
  verify: verifyCommand,
  drives: drivesCommand,
  serve: serveCommand,
  plan: planCommand,
  write: writeCommand,
  demo: demoCommand,
  clone: cloneCommand,
  repair: repairCommand,
  reset: resetCommand,
  caches: cachesCommand,
  offline: offlineCommand,
  update: updateCommand,
  payload: payloadCommand,
  bundle: bundleCommand,
};
