// Sticks that are not what they claim, for the capacity check's tests, each attached as a loop device:
// - wrappingStick: a FUSE file (wrapping-stick.py, python3-fusepy) that claims `claimedBytes` but keeps only
//   `realBytes`, wrapping every offset past them to the start, as a counterfeit stick's controller does;
// - fullStick: a sparse file of `claimedBytes` on a tmpfs of `realBytes`: writes past what fits fail (ENOSPC).
// Everything made here is undone by detach(), even when a test failed half-way.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface LyingStick {
  dev: string;
  detach(): Promise<void>;
}

const SCRIPT = join(import.meta.dirname, 'wrapping-stick.py');

async function undoAll(undo: (() => Promise<unknown>)[]): Promise<void> {
  while (undo.length) await undo.pop()!().catch(() => undefined);
}

export async function wrappingStick(claimedBytes: number, realBytes: number): Promise<LyingStick> {
  const dir = await mkdtemp(join(tmpdir(), 'iios-capcheck-fuse-'));
  const undo: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  try {
    const mnt = join(dir, 'mnt');
    await mkdir(mnt);
    await execa('truncate', ['-s', String(realBytes), join(dir, 'backing')]);
    const fuse = spawn('/usr/bin/python3', [SCRIPT, mnt, join(dir, 'backing'), String(claimedBytes), String(realBytes)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    fuse.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise((r) => fuse.once('exit', r));
    undo.push(async () => {
      await execa('fusermount', ['-u', mnt], { reject: false });
      if (fuse.exitCode === null) fuse.kill('SIGTERM');
      await exited;
    });
    for (let i = 0; !existsSync(join(mnt, 'stick.img')); i++) {
      if (fuse.exitCode !== null || i > 200) throw new Error(`the FUSE stick did not come up: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const dev = (await execa('losetup', ['-f', '--show', join(mnt, 'stick.img')])).stdout.trim();
    undo.push(() => execa('losetup', ['-d', dev], { reject: false }));
    return { dev, detach: () => undoAll(undo) };
  } catch (e) {
    await undoAll(undo);
    throw e;
  }
}

export async function fullStick(claimedBytes: number, realBytes: number): Promise<LyingStick> {
  const dir = await mkdtemp(join(tmpdir(), 'iios-capcheck-tmpfs-'));
  const undo: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  try {
    await execa('mount', ['-t', 'tmpfs', '-o', `size=${realBytes}`, 'iios-capcheck', dir]);
    undo.push(() => execa('umount', [dir], { reject: false }));
    await execa('truncate', ['-s', String(claimedBytes), join(dir, 'stick.img')]);
    const dev = (await execa('losetup', ['-f', '--show', join(dir, 'stick.img')])).stdout.trim();
    undo.push(() => execa('losetup', ['-d', dev], { reject: false }));
    return { dev, detach: () => undoAll(undo) };
  } catch (e) {
    await undoAll(undo);
    throw e;
  }
}
