// iios's own initramfs for a created bundle: resources/initramfs/assemble.sh (shared with the demo OS) with the
// host's static busybox and veritysetup, and the modules of the bundle's own kernel that modules.list names,
// with their modules.dep closure.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resourcesDir } from '../app/app-info.ts';
import { runTool } from '../run-tool.ts';
import type { FoundKernel } from './kernel-discovery.ts';
import { moduleClosure } from './module-closure.ts';

/** Modules without which no iios boot can work: refused when the kernel has them neither as module nor built in. */
const ESSENTIAL = ['overlay', 'btrfs', 'dm_verity', 'vfat'];

export function readModulesList(text: string): string[] {
  return text.split('\n').filter((l) => !l.startsWith('#')).flatMap((l) => l.split(/\s+/)).filter(Boolean);
}

export interface InitramfsResult {
  moduleCount: number;
  missing: string[];
}

export async function buildInitramfs(kernel: FoundKernel, rootfsKind: string, out: string, signal?: AbortSignal): Promise<InitramfsResult> {
  const dir = join(resourcesDir(), 'initramfs');
  const wanted = readModulesList(await readFile(join(dir, 'modules.list'), 'utf8'));
  const dep = await readFile(join(kernel.modulesDir, 'modules.dep'), 'utf8');
  const builtin = await readFile(join(kernel.modulesDir, 'modules.builtin'), 'utf8').catch(() => '');
  const closure = moduleClosure(wanted, dep, builtin);
  const fatal = closure.missing.filter((m) => [...ESSENTIAL, rootfsKind].includes(m.replaceAll('-', '_')));
  if (fatal.length) {
    throw new Error(`kernel ${kernel.release} has neither a module nor built-in support for ${fatal.join(', ')}: iios cannot boot it`);
  }
  const tools = process.env.IIOS_INITRAMFS_TOOLS ?? '/';
  await runTool('bash', [join(dir, 'assemble.sh'), tools, kernel.modulesDir, out], { input: closure.files.join('\n') + '\n', ...(signal ? { signal } : {}) });
  return { moduleCount: closure.files.length, missing: closure.missing };
}
