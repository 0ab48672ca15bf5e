// Every `iios` subcommand, by name. Each lives in its own file and exports a Command; it is loaded when it is
// asked for, so `iios write` does not initialise what `inspect`, `serve` or `bundle` need (in the CommonJS bundle
// an import() here only runs that command's modules). `allCommands` loads them all, for the help text.
import type { Command } from '../command.ts';

export const commandLoaders: Record<string, () => Promise<Command>> = {
  version: async () => (await import('./version.ts')).versionCommand,
  inspect: async () => (await import('./inspect.ts')).inspectCommand,
  verify: async () => (await import('./verify.ts')).verifyCommand,
  drives: async () => (await import('./drives.ts')).drivesCommand,
  serve: async () => (await import('./serve.ts')).serveCommand,
  plan: async () => (await import('./plan.ts')).planCommand,
  write: async () => (await import('./write.ts')).writeCommand,
  demo: async () => (await import('./demo.ts')).demoCommand,
  clone: async () => (await import('./clone.ts')).cloneCommand,
  repair: async () => (await import('./repair.ts')).repairCommand,
  reset: async () => (await import('./repair.ts')).resetCommand,
  caches: async () => (await import('./caches.ts')).cachesCommand,
  offline: async () => (await import('./offline.ts')).offlineCommand,
  update: async () => (await import('./update.ts')).updateCommand,
  payload: async () => (await import('./update.ts')).payloadCommand,
  bundle: async () => (await import('./bundle.ts')).bundleCommand,
};

/** One command, or null for a name iios does not know (only own names: never a property of Object.prototype). */
export function loadCommand(name: string): Promise<Command> | null {
  return Object.hasOwn(commandLoaders, name) ? commandLoaders[name]!() : null;
}

/** Every command, loaded: what the help text lists. */
export async function allCommands(): Promise<Record<string, Command>> {
  const entries = await Promise.all(Object.entries(commandLoaders).map(async ([name, load]) => [name, await load()] as const));
  return Object.fromEntries(entries);
}
