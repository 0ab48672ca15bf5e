// The few external tools the app itself runs to read a stick back (the helper has its own wrappers; the app
// reads independently of the writer): execa with argument arrays, a read-only loop per partition range.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export class ReadToolError extends Error {
  constructor(readonly tool: string, readonly exitCode: number | null, readonly stderr: string) {
    super(`${tool} failed (exit ${exitCode ?? 'signal'})${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
  }
}

export interface ToolOptions {
  signal?: AbortSignal;
  env?: Record<string, string>;
  okExitCodes?: number[];
}

export async function tool(file: string, args: string[], opts: ToolOptions = {}): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const r = await execa(file, args, {
    reject: false,
    cancelSignal: opts.signal,
    env: { LC_ALL: 'C', ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const code = r.exitCode ?? null;
  if (code === null || !(opts.okExitCodes ?? [0]).includes(code)) throw new ReadToolError(file, code, String(r.stderr ?? r.shortMessage ?? ''));
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: code };
}

export async function toolBuffer(file: string, args: string[], opts: ToolOptions = {}): Promise<Buffer> {
  const r = await execa(file, args, { reject: false, encoding: 'buffer', stripFinalNewline: false, cancelSignal: opts.signal, env: { LC_ALL: 'C', ...opts.env } });
  if (r.exitCode !== 0) throw new ReadToolError(file, r.exitCode ?? null, Buffer.from(r.stderr as Uint8Array).toString());
  return Buffer.from(r.stdout as Uint8Array);
}

const mtoolsEnv = { MTOOLS_SKIP_CHECK: '1' };

/** Reads one file off a FAT filesystem at a byte offset of a disk or image (`disk@@offset`), without mounting. */
export function fatReadFile(disk: string, offset: number, fatPath: string, opts: ToolOptions = {}): Promise<Buffer> {
  return toolBuffer('mcopy', ['-n', '-i', `${disk}@@${offset}`, `::${fatPath}`, '-'], { ...opts, env: mtoolsEnv });
}

/** Runs fn with a read-only loop device over [offset, offset+size) of `backing`, always detached afterwards. */
export async function withReadOnlyLoop<T>(backing: string, offset: number, size: number, fn: (dev: string) => Promise<T>): Promise<T> {
  const { stdout } = await tool('losetup', ['-f', '--show', '-r', '-o', String(offset), '--sizelimit', String(size), backing]);
  const dev = stdout.trim();
  if (!/^\/dev\/loop\d+$/.test(dev)) throw new Error(`losetup printed an unexpected device: ${dev}`);
  try {
    return await fn(dev);
  } finally {
    for (let i = 0; i < 5; i++) {
      const r = await execa('losetup', ['-d', dev], { reject: false });
      if (r.exitCode === 0) break;
      await new Promise((res) => setTimeout(res, 200 * (i + 1)));
    }
  }
}

/** Mounts the filesystem in [offset, offset+size) of `backing` read-only at a temp dir for fn; always undone. */
export async function withReadOnlyMount<T>(backing: string, offset: number, size: number, fn: (dir: string) => Promise<T>): Promise<T> {
  return withReadOnlyLoop(backing, offset, size, async (dev) => {
    const dir = await mkdtemp(join(tmpdir(), 'iios-read-'));
    try {
      await tool('mount', ['-o', 'ro', dev, dir]);
      try {
        return await fn(dir);
      } finally {
        await execa('umount', [dir], { reject: false });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
