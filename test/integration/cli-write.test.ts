// `iios write` as a user runs it (the CLI as a child process, the real helper behind it) for every profile,
// onto an image file and onto a loop device; then `iios inspect --json` and `iios verify`, and the same stick
// read again with independent tools (sgdisk -v, sfdisk, mtools, veritysetup, btrfs).
import { mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { iios, inspectJson } from '../support/iios-cli.ts';
import { btrfsCheck, btrfsSubvolumes, gptParts, makeLoopDisk, readStamp, sgdiskVerify, TYPE, verityVerify, withBtrfs } from '../support/written-stick.ts';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
let bundle: TestBundle;
let work: string;
let payload: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 8 * MiB, name: 'iios-cli-test', version: '3.2' });
  work = await mkdtemp(join(tmpdir(), 'iios-cli-write-'));
  payload = join(work, 'welcome.html');
  await writeFile(payload, '<h1>iios kiosk</h1>\n');
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(async () => {
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

async function newTarget(kind: 'image-file' | 'device', name: string): Promise<{ path: string; sizeArgs: string[] }> {
  if (kind === 'image-file') return { path: join(work, `${name}.img`), sizeArgs: ['--size', '2G'] };
  const loop = await makeLoopDisk(work, `${name}.disk`, 2 * GiB);
  cleanups.push(loop.detach);
  return { path: loop.dev, sizeArgs: [] };
}

const EXPECT: Record<string, { parts: [string, string][]; slots: string[]; btrfs: [string, string[]] }> = {
  appliance: {
    parts: [['IIOS-ESP', TYPE.esp], ['iios-root-a', TYPE.root], ['iios-verity-a', TYPE.verity], ['iios-root-b', TYPE.root], ['iios-verity-b', TYPE.verity], ['iios-data', TYPE.linux]],
    slots: ['a', 'b'],
    btrfs: ['iios-data', ['@caches', '@home', '@iios', '@snapshots', '@state']],
  },
  classroom: {
    parts: [['IIOS-ESP', TYPE.esp], ['iios-system', TYPE.root]],
    slots: ['system'],
    btrfs: ['iios-system', ['@', '@caches', '@home', '@iios', '@snapshots', '@snapshots/factory']],
  },
  kiosk: {
    parts: [['IIOS-ESP', TYPE.esp], ['iios-root-a', TYPE.root], ['iios-verity-a', TYPE.verity], ['iios-payload', TYPE.linux], ['iios-data', TYPE.linux]],
    slots: ['a'],
    btrfs: ['iios-data', ['@home', '@state']],
  },
};

describe.each(['image-file', 'device'] as const)('iios write onto a %s', (kind) => {
  it.each(Object.keys(EXPECT))('%s: written, inspected, verified, and read back independently', async (profile) => {
    const want = EXPECT[profile]!;
    const t = await newTarget(kind, profile);
    const extra = profile === 'kiosk' ? ['--payload', payload] : [];
    const w = await iios(['write', '--profile', profile, '--bundle', bundle.dir, '--target', t.path, ...t.sizeArgs, '--name', 'class-{nn}', ...extra, '--yes']);
    expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    expect(w.stdout).toContain('1 of 1 target written');
    expect(w.stdout).toMatch(/ok\s+class-01\s+\S+\s+\(verified\)/);
    // not a TTY: plain progress lines, one per phase
    expect(w.stdout).toMatch(/class-01 \S+: slots|class-01 \S+: btrfs/);

    const info = await inspectJson(t.path);
    expect(info.complete).toBe(true);
    expect(info.stamp).toMatchObject({ complete: true, profile, hostname: 'class-01' });
    expect(Object.keys(info.stamp!.slots).sort()).toEqual(want.slots);
    const v = await iios(['verify', t.path]);
    expect(v.exitCode, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toContain('verified');

    // independent read-back
    expect(await sgdiskVerify(t.path)).toMatch(/No problems found/);
    const parts = await gptParts(t.path);
    expect(parts.map((p) => [p.name, p.type])).toEqual(want.parts);
    for (const p of parts.filter((x) => x.name.startsWith('iios-verity-'))) expect(p.attrs).toContain('60');
    const stamp = await readStamp(t.path);
    expect(stamp.complete).toBe(true);
    expect(stamp.hostname).toBe('class-01');
    for (const slot of want.slots.filter((s) => s !== 'system')) {
      expect(stamp.slots[slot]!.rootHash).toBe(bundle.manifest.verity.rootHash);
      expect(await verityVerify(t.path, slot, stamp.slots[slot]!.rootHash!)).toBe(true);
    }
    expect(await btrfsSubvolumes(t.path, want.btrfs[0])).toEqual(want.btrfs[1]);
    expect(await btrfsCheck(t.path, want.btrfs[0])).toBe(true);
    if (kind === 'image-file') expect((await stat(t.path)).blocks * 512).toBeLessThan(400 * MiB); // sparse
  });
});

describe('iios write: raw profile and several targets', () => {
  it.each(['image-file', 'device'] as const)('raw: an xz disk image as it is plus persistence, onto a %s', async (kind) => {
    const src = join(work, 'src.img');
    await execa('truncate', ['-s', '48M', src]);
    await execa('sgdisk', ['-n1:2048:0', '-t1:8300', '-c1:rawroot', src]);
    await execa('dd', ['if=/dev/urandom', `of=${src}`, 'bs=1M', 'seek=8', 'count=16', 'conv=notrunc', 'status=none']);
    await execa('xz', ['-k', '-f', '-T2', src]);
    cleanups.push(() => rm(src, { force: true }), () => rm(`${src}.xz`, { force: true }));
    const t = await newTarget(kind, 'raw');
    const w = await iios(['write', '--profile', 'raw', '--image', `${src}.xz`, '--target', t.path, ...t.sizeArgs, '--persistence', '--yes']);
    expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    const info = await inspectJson(t.path);
    expect(info.stamp).toBeNull();
    expect(info.layout!.partitions.map((p) => p.name)).toEqual(['rawroot', 'iios-data']);
    expect(await sgdiskVerify(t.path)).toMatch(/No problems found/);
    // the image's bytes after its primary GPT are on the target unchanged
    const head = async (f: string) => (await execa('bash', ['-c', `dd if="$1" bs=1M skip=1 count=40 status=none | sha256sum`, '_', f])).stdout.slice(0, 64);
    expect(await head(t.path)).toBe(await head(src));
  });

  it('writes two image files in one job, named class-01 and class-02', async () => {
    const a = join(work, 'multi-a.img');
    const b = join(work, 'multi-b.img');
    const w = await iios(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', a, '--target', b, '--size', '2G', '--name', 'class-{nn}', '--yes']);
    expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    expect(w.stdout).toContain('2 of 2 targets written');
    expect((await readStamp(a)).hostname).toBe('class-01');
    expect((await readStamp(b)).hostname).toBe('class-02');
    // each stick is its own: different disk GUIDs, not one image copied twice
    const diskId = async (f: string) => (JSON.parse((await execa('sfdisk', ['--json', f])).stdout) as { partitiontable: { id: string } }).partitiontable.id;
    expect(await diskId(a)).not.toBe(await diskId(b));
  });

  it('carries offline caches: copied into @caches/<kind>, listed in the stamp, re-checked by verify', async () => {
    const cache = join(work, 'apt-cache');
    await mkdir(join(cache, 'archives'), { recursive: true });
    await writeFile(join(cache, 'archives', 'hello_1.0_amd64.deb'), 'not really a deb\n');
    await writeFile(join(cache, 'pkgcache.bin'), Buffer.alloc(70_000, 7));
    // a link is carried as a link, and covered by the manifest by its target text (not counted as a file)
    await symlink('archives/hello_1.0_amd64.deb', join(cache, 'current.deb'));
    const img = join(work, 'caches.img');
    const w = await iios(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', img, '--size', '2G', '--cache', `apt=${cache}`, '--yes']);
    expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    expect((await readStamp(img)).caches).toEqual([expect.objectContaining({ kind: 'apt', files: 2, sizeBytes: 70_017 })]);
    expect((await iios(['inspect', img])).stdout).toContain('caches: apt (2 files');
    const files = await withBtrfs(img, 'iios-data', async (mnt) => [
      await readFile(join(mnt, '@caches/apt/archives/hello_1.0_amd64.deb'), 'utf8'),
      (await stat(join(mnt, '@caches/apt/pkgcache.bin'))).size,
    ]);
    expect(files).toEqual(['not really a deb\n', 70_000]);
    expect((await iios(['verify', img])).stdout).toMatch(/ok\s+caches: apt: manifests match/);
    // a link made to point elsewhere on the stick is caught, and pointing it back makes the stick verify again
    const relink = (to: string) => withBtrfs(img, 'iios-data', async (mnt) => {
      await rm(join(mnt, '@caches/apt/current.deb'));
      await symlink(to, join(mnt, '@caches/apt/current.deb'));
    }, { readOnly: false });
    expect(await withBtrfs(img, 'iios-data', (mnt) => readlink(join(mnt, '@caches/apt/current.deb')))).toBe('archives/hello_1.0_amd64.deb');
    await relink('/etc/shadow');
    const linked = await iios(['verify', img]);
    expect(linked.exitCode).toBe(1);
    // the terminal says the size the reader's way (--json keeps the byte count)
    expect(linked.stdout).toMatch(/FAIL\s+caches: cache apt: reads back as 2 files \/ 70\.0 kB with manifest sha256 [0-9a-f]{64}, expected 2 files \/ 70\.0 kB/);
    await relink('archives/hello_1.0_amd64.deb');
    expect((await iios(['verify', img])).stdout).toMatch(/ok\s+caches: apt: manifests match/);
    // a cache file changed on the stick afterwards is caught
    await withBtrfs(img, 'iios-data', (mnt) => writeFile(join(mnt, '@caches/apt/pkgcache.bin'), 'changed'), { readOnly: false });
    const v = await iios(['verify', img]);
    expect(v.exitCode).toBe(1);
    expect(v.stdout).toMatch(/FAIL\s+caches: cache apt: reads back as 2 files \/ 24 B .* expected 2 files \/ 70\.0 kB/);
  });
});
