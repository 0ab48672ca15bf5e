// A profile path that is no profile: refused without quoting the file. Only .yaml/.yml files are opened
// (`--profile /etc/shadow` is refused before any read); a .yaml full of secret-looking lines is refused with
// the fields that failed, never its lines; a FIFO is named, not read (which would block for ever). The same
// through plan.compute, as the bridge serves it.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../src-main/services/sources/profiles.ts';
import { createAppRuntime } from '../../src-main/services/runtime.ts';
import { dispatch } from '../../src-main/services/handlers.ts';
import { wrongFileKind } from '../../src-shared/format/file-kind.ts';

const SECRET_LINES = Array.from({ length: 12 }, (_, i) => `user${i}:$6$s4lt${i}$Xq9HASHxyz${i}Pw0rdSecret:19000:0:99999:7:::`);
/** Every piece of every line that would give a secret away. */
const SECRETS = SECRET_LINES.flatMap((l) => [l, ...l.split(/[:$]/).filter((p) => p.length >= 4 && !/^\d+$/.test(p))]);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iios-profiles-'));
  await writeFile(join(dir, 'shadow'), SECRET_LINES.join('\n') + '\n');
  await writeFile(join(dir, 'shadow.yaml'), SECRET_LINES.join('\n') + '\n');
  await writeFile(join(dir, 'creds.yml'), `id: web\n${SECRET_LINES.map((l, i) => `k${i}: "${l}"`).join('\n')}\nmode: "${SECRET_LINES[0]}"\n`);
  // not a profile at all: as a FIFO a read would block, so a refusal proves it was never opened
  execFileSync('mkfifo', [join(dir, 'secrets'), join(dir, 'pipe.yaml')]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const message = (p: Promise<unknown>) => p.then(() => 'accepted', (e: Error) => e.message);
const leaks = (text: string) => SECRETS.filter((s) => text.includes(s));

describe('loading a profile file that is no profile', () => {
  it.each(['shadow', 'secrets'])('%s (no .yaml): refused before it is read', async (name) => {
    const m = await message(loadProfile(join(dir, name)));
    expect(m).toBe(`${join(dir, name)}: not read: a profile is a .yaml or .yml file (or give a built-in profile id, e.g. appliance)`);
  });

  it('a .yaml of secret-looking lines: the fields that failed, none of the lines', async () => {
    const m = await message(loadProfile(join(dir, 'shadow.yaml')));
    expect(m).toMatch(/id: is required/);
    expect(m).toMatch(/12 keys that are not a field name \(not shown\)/);
    expect(leaks(m)).toEqual([]);
  });

  it('a .yml whose fields hold secrets: no more than the failing field, cut short', async () => {
    const m = await message(loadProfile(join(dir, 'creds.yml')));
    expect(m).toMatch(/k0: unknown field/);
    // the one value quoted is the failing field's own (mode), and only its first 24 characters
    expect(m).toContain('mode: "user0:$6$s4lt0$Xq9HASHxy…" is not one of: writable, ab, raw');
    expect(leaks(m.replace('"user0:$6$s4lt0$Xq9HASHxy…"', ''))).toEqual([]);
    expect(m).not.toContain('Pw0rdSecret');
  });

  it('a FIFO named .yaml: said what it is, not read', async () => {
    expect(await message(loadProfile(join(dir, 'pipe.yaml')))).toBe(`${join(dir, 'pipe.yaml')}: it is a FIFO (named pipe), not a file`);
  });

  it('plan.compute over the bridge says the same and quotes nothing', async () => {
    const { handlers } = createAppRuntime();
    for (const name of ['shadow', 'shadow.yaml']) {
      const envelope = (await dispatch(handlers, 'plan.compute', { profile: join(dir, name), targetBytes: 16e9 }, { transport: 'bridge' })) as {
        error?: { message: string };
      };
      expect(envelope.error?.message).toMatch(new RegExp(`^${join(dir, name).replace(/\./g, '\\.')}: `));
      expect(leaks(envelope.error!.message)).toEqual([]);
    }
  });
});

describe('file kinds in words', () => {
  const stat = (kind: string) => ({
    isFile: () => kind === 'file',
    isDirectory: () => kind === 'dir',
    isFIFO: () => kind === 'fifo',
    isSocket: () => kind === 'socket',
    isCharacterDevice: () => kind === 'chr',
    isBlockDevice: () => kind === 'blk',
    isSymbolicLink: () => kind === 'link',
  });
  it.each([
    ['file', null],
    ['dir', 'x is a directory, not a file'],
    ['fifo', 'x is a FIFO (named pipe), not a file'],
    ['socket', 'x is a socket, not a file'],
    ['chr', 'x is a character device, not a file'],
    ['blk', 'x is a block device, not a file'],
    ['link', 'x is a symbolic link, not a file'],
    ['door', 'x is a special file, not a file'],
  ])('%s → %s', (kind, text) => expect(wrongFileKind('x', stat(kind))).toBe(text));

  it('accepts the kinds it is told', () => {
    expect(wrongFileKind('/dev/sdb', stat('blk'), ['file', 'block-device'], 'a block device or an image file')).toBeNull();
    expect(wrongFileKind('/dev/tty', stat('chr'), ['file', 'block-device'], 'a block device or an image file')).toBe(
      '/dev/tty is a character device, not a block device or an image file',
    );
  });
});
