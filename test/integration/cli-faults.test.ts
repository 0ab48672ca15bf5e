// `iios write` when things go wrong: Ctrl-C mid-write leaves the target visibly incomplete; a target too
// small, a bundle with a wrong sha256, a truncated image, a bad name pattern and a missing --yes are all
// refused before anything is written.
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, sha256File, type TestBundle } from '../support/make-bundle.ts';
import { iios, iiosSpawn, inspectJson, REPO } from '../support/iios-cli.ts';
import { makeLoopDisk } from '../support/written-stick.ts';

const MiB = 1024 ** 2;
let bundle: TestBundle;
let work: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  // incompressible content, so writing the slots takes long enough to interrupt
  bundle = await makeBundle({ randomBytes: 320 * MiB, name: 'iios-faults', version: '1.0' });
  work = await mkdtemp(join(tmpdir(), 'iios-cli-faults-'));
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(async () => {
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

async function loopsOf(file: string): Promise<string> {
  return (await execa('losetup', ['-j', file])).stdout.trim();
}

describe('cancel', () => {
  it.each(['image-file', 'device'] as const)('Ctrl-C mid-write leaves a %s incomplete, with no loops or mounts left behind', async (kind) => {
    let target = join(work, 'cancel.img');
    let backing = target;
    const sizeArgs = kind === 'image-file' ? ['--size', '3G'] : [];
    if (kind === 'device') {
      const loop = await makeLoopDisk(work, 'cancel.disk', 3 * 1024 * MiB);
      cleanups.push(loop.detach);
      target = loop.dev;
      backing = loop.file;
    }
    const child = iiosSpawn(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', target, ...sizeArgs, '--yes']);
    let out = '';
    let sent = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!sent && /: slots\b/.test(out)) {
        sent = true;
        // Ctrl-C at a terminal: SIGINT to the whole foreground process group, not only to iios
        process.kill(-child.pid!, 'SIGINT');
      }
    });
    const r = await child;
    expect(sent, out).toBe(true);
    expect(r.exitCode, `${out}\n${String(r.stderr)}`).toBe(130);
    expect(out).toMatch(/cancelling/);
    expect(out).toMatch(/iios \S+: cancelled/);
    expect(out).toMatch(/cancel\s+iios\s+\S+\s+— incomplete/);

    const info = await inspectJson(target);
    expect(info.complete).toBe(false);
    expect(info.stamp?.complete ?? false).toBe(false);
    const shown = await iios(['inspect', target]);
    // the ESP and its complete:false stamp are written before the slots, so the stick says what it is: incomplete
    expect(shown.stdout).toMatch(/INCOMPLETE/);
    const v = await iios(['verify', target]);
    expect(v.exitCode).toBe(1);
    // the helper detached every loop it made over the target's partitions
    const left = await loopsOf(backing);
    expect(left.split('\n').filter(Boolean).length).toBe(kind === 'device' ? 1 : 0);
    expect(await readFile('/proc/self/mounts', 'utf8')).not.toContain(backing);
  });
});

describe('refused before writing anything', () => {
  it('a target too small: no file is created, a small device keeps its bytes', async () => {
    const img = join(work, 'small.img');
    const r = await iios(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', img, '--size', '300M', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/refused before writing anything: .*small\.img: target is .* but the appliance profile needs at least/);
    expect(existsSync(img)).toBe(false);

    const loop = await makeLoopDisk(work, 'small.disk', 256 * MiB);
    cleanups.push(loop.detach);
    await execa('bash', ['-c', 'printf "precious data" | dd of="$1" bs=1 seek=1048576 conv=notrunc status=none', '_', loop.dev]);
    const before = (await execa('sha256sum', [loop.file])).stdout.slice(0, 64);
    const d = await iios(['write', '--profile', 'kiosk', '--bundle', bundle.dir, '--target', loop.dev, '--yes']);
    expect(d.exitCode).toBe(1);
    expect(d.stderr).toMatch(/needs at least/);
    expect((await execa('sha256sum', [loop.file])).stdout.slice(0, 64)).toBe(before);
  });

  it('a bundle file whose sha256 does not match the manifest', async () => {
    const bad = join(work, 'bad-bundle');
    await cp(bundle.dir, bad, { recursive: true });
    cleanups.push(() => rm(bad, { recursive: true, force: true }));
    const vm = join(bad, 'vmlinuz');
    const text = await readFile(vm);
    text[0] = text[0]! ^ 0xff;
    await writeFile(vm, text);
    const img = join(work, 'bad-bundle.img');
    const r = await iios(['write', '--profile', 'appliance', '--bundle', bad, '--target', img, '--size', '3G', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/refused before writing anything: .*vmlinuz has sha256 [0-9a-f]{64}, manifest\.json says/);
    expect(existsSync(img)).toBe(false);
  });

  it('a truncated disk image for the raw profile', async () => {
    const src = join(work, 'disk.img');
    await execa('truncate', ['-s', '32M', src]);
    await execa('sgdisk', ['-n1:2048:0', '-c1:rawroot', src]);
    await execa('xz', ['-k', '-f', src]);
    const cut = join(work, 'cut.img.xz');
    await copyFile(`${src}.xz`, cut);
    await truncate(cut, 2000);
    const img = join(work, 'raw.img');
    const r = await iios(['write', '--profile', 'raw', '--image', cut, '--target', img, '--size', '1G', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/refused before writing anything: .*truncated or damaged/);
    expect(existsSync(img)).toBe(false);
  });

  it('a bad name pattern, and erasing without --yes when stdin is not a terminal', async () => {
    const img = join(work, 'names.img');
    const a = await iios(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', img, '--target', `${img}2`, '--size', '3G', '--name', 'Class', '--yes']);
    expect(a.exitCode).toBe(1);
    expect(a.stderr).toMatch(/not a valid hostname|share one name/);
    const b = await iios(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', img, '--size', '3G']);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/without --yes/);
    expect(existsSync(img)).toBe(false);
  });

  it('asks on a terminal first: it lists what will be erased, and "no" leaves the stick untouched', async () => {
    const loop = await makeLoopDisk(work, 'ask.disk', 3 * 1024 * MiB);
    cleanups.push(loop.detach);
    await execa('sgdisk', ['-n1:2048:+64M', '-c1:holiday-photos', loop.dev]);
    const before = await sha256File(loop.file);
    // `script` gives iios a terminal on stdin and stdout, as a person at a shell would have
    const cmd = `node ${JSON.stringify(join(REPO, 'src-main/cli/iios.mjs'))} write --profile appliance --bundle ${bundle.dir} --target ${loop.dev}`;
    const r = await execa('script', ['-qec', cmd, '/dev/null'], { input: 'no\n', reject: false, env: { IIOS_FROM_SOURCE: '1' } });
    const out = String(r.stdout);
    expect(out).toMatch(/iios will ERASE and write the appliance profile onto:/);
    expect(out).toMatch(new RegExp(`${loop.dev}\\s+3\\.2 GB .*now: gpt table, 1 partition: holiday-photos`));
    expect(out).toMatch(/Type "yes" to go on/);
    expect(out).toContain('nothing was written');
    expect(await sha256File(loop.file)).toBe(before);
  });
});
