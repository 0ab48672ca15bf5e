// `iios bundle list` over a throwaway library (XDG_DATA_HOME) and a plugged-in iios stick: a real Btrfs on a loop
// device with the @iios subvolume holding a bundle, mounted as the desktop would mount it (the whole filesystem,
// then only the @iios subvolume); unmounted, its bundle is gone from the list again.
import { execa } from 'execa';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle } from '../support/make-bundle.ts';
import { iios } from '../support/iios-cli.ts';

const isRoot = process.getuid?.() === 0;

interface Listed {
  dir: string;
  name: string;
  version: string;
  sizeBytes: number;
  source: string;
  where: string;
  stick: string | null;
}

describe.skipIf(!isRoot)('iios bundle list', () => {
  let work = '';
  let loop = '';
  const mounts: string[] = [];
  let env: Record<string, string> = {};

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'iios-layers-library-'));
    env = { ...(process.env as Record<string, string>), XDG_DATA_HOME: join(work, 'data') };
    await makeBundle({ name: 'classroom', version: '2026.12.1', dir: join(work, 'data/iios/bundles/classroom-2026.12.1'), randomBytes: 4096, build: { source: 'oci-archive:/srv/classroom.tar' } });
    const img = join(work, 'stick-data.img');
    await writeFile(img, '');
    await truncate(img, 256 * 1024 * 1024);
    await execa('mkfs.btrfs', ['-q', '-L', 'iios-data', img]);
    loop = (await execa('losetup', ['-f', '--show', img])).stdout.trim();
    const top = join(work, 'mnt-top');
    await mkdir(top);
    await execa('mount', [loop, top]);
    mounts.push(top);
    await execa('btrfs', ['subvolume', 'create', join(top, '@iios')]);
    await makeBundle({ name: 'kiosk', version: '7', dir: join(top, '@iios/bundles/kiosk-7'), randomBytes: 4096, build: { source: 'debian:bookworm' } });
  });

  afterAll(async () => {
    for (const m of mounts.reverse()) await execa('umount', [m], { reject: false });
    if (loop) await execa('losetup', ['-d', loop], { reject: false });
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function list(): Promise<Listed[]> {
    const r = await iios(['bundle', 'list', '--json'], { env });
    expect(r.exitCode, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Listed[];
  }

  it('shows the library and the bundles of a plugged-in stick, mounted whole or as its @iios subvolume', async () => {
    const whole = await list();
    expect(whole.find((b) => b.name === 'classroom')).toMatchObject({ version: '2026.12.1', where: 'library', source: 'oci-archive:/srv/classroom.tar', stick: null });
    expect(whole.find((b) => b.name === 'kiosk')).toMatchObject({
      version: '7',
      where: 'stick',
      source: 'debian:bookworm',
      dir: join(work, 'mnt-top/@iios/bundles/kiosk-7'),
      stick: `${loop} at ${join(work, 'mnt-top')}`,
    });
    expect(whole.find((b) => b.name === 'kiosk')!.sizeBytes).toBeGreaterThan(4096);

    // the table a person reads
    const table = await iios(['bundle', 'list'], { env });
    expect(table.stdout).toMatch(/kiosk\s+7\s+.*debian:bookworm\s+stick \/dev\/loop\d+ at /);

    // only the @iios subvolume mounted (as a desktop may do)
    await execa('umount', [join(work, 'mnt-top')]);
    mounts.pop();
    const sub = join(work, 'mnt-iios');
    await mkdir(sub);
    await execa('mount', ['-o', 'subvol=@iios,ro', loop, sub]);
    mounts.push(sub);
    expect((await list()).find((b) => b.name === 'kiosk')).toMatchObject({ where: 'stick', dir: join(sub, 'bundles/kiosk-7') });

    // unplugged: gone
    await execa('umount', [sub]);
    mounts.pop();
    const after = await list();
    expect(after.some((b) => b.name === 'kiosk')).toBe(false);
    expect(after.some((b) => b.name === 'classroom')).toBe(true);
  });
});
