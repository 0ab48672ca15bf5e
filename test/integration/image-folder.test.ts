// An image-file target's folder, checked on real folders and filesystems as the user running iios sees them:
// a folder that does not exist, a file in its place, a read-only filesystem, a full one (tmpfs of 4 MiB), and
// `iios write` refusing such a target before it confirms, elevates or writes anything — run as an unprivileged
// user with neither pkexec nor sudo on its PATH, so reaching elevation would have said so instead.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkImageFolder } from '../../src-main/services/drives/image-folder.ts';
import { iios, REPO } from '../support/iios-cli.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { makeThrowawayUser, type ThrowawayUser } from '../support/throwaway-user.ts';

const MiB = 1024 ** 2;
const GB = 1000 ** 3;
const CLI = join(REPO, 'src-main', 'cli', 'iios.mjs');

let work: string;
const mounts: string[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-capcheck-folder-'));
  await chmod(work, 0o755);
});
afterAll(async () => {
  for (const m of mounts.reverse()) await execa('umount', [m], { reject: false });
  if (work) await rm(work, { recursive: true, force: true });
});

async function tmpfs(name: string, options: string): Promise<string> {
  const at = join(work, name);
  await mkdir(at);
  await execa('mount', ['-t', 'tmpfs', '-o', options, 'iios-capcheck', at]);
  mounts.push(at);
  return at;
}

describe('drives.checkImageFolder on real folders', () => {
  it('a folder that does not exist: says so and names the nearest folder that does', async () => {
    const r = await checkImageFolder({ path: join(work, 'no', 'such', 'class.img'), sizeBytes: 8 * GB });
    expect(r.code).toBe('no-folder');
    expect(r.problem).toBe(`The folder ${join(work, 'no', 'such')} does not exist. Create it first (in ${work}), or choose a folder that exists.`);
    expect(r.freeBytes).toBeNull();
  });

  it('a file where the folder should be', async () => {
    await writeFile(join(work, 'notes'), 'x');
    const r = await checkImageFolder({ path: join(work, 'notes', 'class.img'), sizeBytes: 8 * GB });
    expect(r.code).toBe('not-folder');
    expect(r.problem).toMatch(/notes is a file, not a folder/);
  });

  it('a read-only filesystem: not writable, even for root', async () => {
    const ro = await tmpfs('ro', 'ro,size=4m');
    const r = await checkImageFolder({ path: join(ro, 'class.img'), sizeBytes: 8 * GB });
    expect(r.code).toBe('not-writable');
    expect(r.problem).toMatch(/You may not write in the folder .*\/ro\. Choose a folder of your own/);
  });

  it('a filesystem without room for what the job writes is refused; without room for the full size only noticed', async () => {
    const small = await tmpfs('small', 'size=4m');
    const full = await checkImageFolder({ path: join(small, 'class.img'), sizeBytes: 8 * GB, writeBytes: 8 * MiB });
    expect(full.code).toBe('no-room');
    expect(full.problem).toMatch(/Not enough space for .*class\.img: its folder has 4\.\d MB free, this write needs at least 8\.4 MB\. Free some space/);
    const sparse = await checkImageFolder({ path: join(small, 'class.img'), sizeBytes: 8 * GB, writeBytes: 1 * MiB });
    expect(sparse).toMatchObject({ code: 'ok', problem: null });
    expect(sparse.notice).toMatch(/^The folder has 4\.\d MB free: enough for this write, but not for the whole 8\.0 GB/);
    const ok = await checkImageFolder({ path: join(work, 'class.img'), sizeBytes: 1 * MiB, writeBytes: 1 * MiB });
    expect(ok).toMatchObject({ code: 'ok', problem: null, notice: null });
  });
});

describe('iios write refuses an image file whose folder cannot take it, before anything else', () => {
  let bundle: TestBundle;
  let user: ThrowawayUser;
  beforeAll(async () => {
    bundle = await makeBundle({ randomBytes: 2 * MiB, name: 'iios-folder-test', version: '1.0' });
    await chmod(bundle.dir, 0o755);
    for (const f of await readdir(bundle.dir)) await chmod(join(bundle.dir, f), 0o644);
    user = await makeThrowawayUser('iiosf');
  }, 120_000);
  afterAll(async () => {
    await user?.cleanup();
    await bundle?.cleanup();
  });

  it('as root: a missing folder, refused before the job starts (no job, no file)', async () => {
    const target = join(work, 'missing', 'class.img');
    const r = await iios(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', target, '--size', '1G', '--yes']);
    const out = r.stdout + r.stderr;
    expect(r.exitCode).toBe(1);
    expect(out).toContain(`refused before writing anything: The folder ${join(work, 'missing')} does not exist. Create it first (in ${work})`);
    expect(out).not.toMatch(/job .* started/i);
    expect(existsSync(join(work, 'missing'))).toBe(false);
  }, 120_000);

  it('as a user with no way to become root: a folder that is not theirs is refused before elevation is tried', async () => {
    const rootsOnly = join(work, 'roots-only');
    await mkdir(rootsOnly, { mode: 0o755 });
    const path = await user.pathWithout(['sudo', 'pkexec']);
    const r = await user.run(process.execPath, [CLI, 'write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', join(rootsOnly, 'class.img'), '--size', '1G', '--yes'], {
      IIOS_FROM_SOURCE: '1',
      PATH: path,
    });
    const out = r.stdout + r.stderr;
    expect(r.exitCode, out).toBe(1);
    expect(out).toContain(`refused before writing anything: You may not write in the folder ${rootsOnly}. Choose a folder of your own`);
    expect(out).not.toMatch(/polkit|sudo/);
    expect(existsSync(join(rootsOnly, 'class.img'))).toBe(false);
  }, 120_000);
});
