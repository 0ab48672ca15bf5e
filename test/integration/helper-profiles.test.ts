// Each profile written by the real helper (child process, real socket) onto an image file and onto a loop
// device, then read back with independent tools: sgdisk -v, names/types via sgdisk -i, the stamp via mtype,
// veritysetup verify with the stamp's root hash, btrfs subvolume list, payload and bundle copies by sha256.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeBundle, sha256File, type TestBundle } from '../support/make-bundle.ts';
import { makeRawImage, type RawImage } from '../support/make-raw-image.ts';
import { runHelper } from '../support/run-helper.ts';
import { btrfsSubvolumes, bytesOf, espFile, makeLoop, partByName, readGpt, sha256Range, verityVerify, withMountedPart, type TestLoop } from '../support/helper-checks.ts';

const MiB = 1024 * 1024;
const GUID = {
  esp: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  root: '4f68bce3-e8cd-4db1-96e7-fbcaf984b709',
  verity: '2c7357ed-ebd2-46d9-aec1-23d437ec2bf5',
  data: '0fc63daf-8483-4772-8e79-3d69d8477de4',
};
const RO_ATTR = '1000000000000000';
const profile = (id: string) => parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles', `${id}.yaml`), 'utf8'), `${id}.yaml`, id);

const SIZES: Record<string, number> = { appliance: 1700 * MiB, classroom: 700 * MiB, kiosk: 640 * MiB, raw: 400 * MiB };

let bundle: TestBundle;
let raw: RawImage;
let work: string;
let payloadFile: string;
let aptCache: string;

beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 3 * MiB, name: 'iios-test', version: '7.1' });
  raw = await makeRawImage({ mib: 40, compress: 'xz' });
  work = await mkdtemp(join(tmpdir(), 'iios-it-'));
  payloadFile = join(work, 'piece.html');
  await writeFile(payloadFile, '<h1>iios kiosk payload</h1>\n');
  aptCache = join(work, 'caches/apt');
  await mkdir(join(aptCache, 'archives'), { recursive: true });
  await writeFile(join(aptCache, 'archives/hello_1.0_amd64.deb'), 'not really a deb\n');
  await writeFile(join(aptCache, 'pkgcache.bin'), Buffer.alloc(3000, 7));
});
afterAll(async () => {
  await bundle?.cleanup();
  await raw?.cleanup();
  await rm(work, { recursive: true, force: true });
});

async function target(kind: 'image-file' | 'device', id: string): Promise<{ path: string; loop: TestLoop | null; cleanup(): Promise<void> }> {
  if (kind === 'device') {
    const loop = await makeLoop(SIZES[id]!);
    return { path: loop.dev, loop, cleanup: () => loop.cleanup() };
  }
  const path = join(work, `${id}.img`);
  return { path, loop: null, cleanup: () => rm(path, { force: true }) };
}

function jobFor(id: string, kind: 'image-file' | 'device', path: string) {
  const base = { jobId: `it-${id}`, profile: profile(id), targets: [{ id: 't1', kind, path, sizeBytes: SIZES[id]!, hostname: `${id}-01` }] };
  if (id === 'raw') return { ...base, imagePath: raw.path, persistence: true };
  return {
    ...base,
    bundleDir: bundle.dir,
    manifest: bundle.manifest,
    payload: id === 'kiosk' ? [{ sourcePath: payloadFile, name: 'piece.html' }] : [],
    caches: id === 'appliance' ? [{ kind: 'apt', path: aptCache }] : [],
  };
}

async function checkStamp(disk: string, parts: Awaited<ReturnType<typeof readGpt>>['parts'], id: string) {
  const text = await espFile(disk, parts, '/iios/stick.json');
  expect(text).not.toBeNull();
  expect(text).toMatch(new RegExp(`^  "hostname": "${id}-01",$`, 'm'));
  const stamp = JSON.parse(text!) as { complete: boolean; profile: string; slots: Record<string, { rootHash: string; rootfsSha256: string }> };
  expect(stamp.complete).toBe(true);
  expect(stamp.profile).toBe(id);
  return stamp;
}

describe.each(['image-file', 'device'] as const)('helper writes each profile onto a %s', (kind) => {
  it('appliance: ESP, A/B slots with verity, Btrfs data with the bundle in @iios', async () => {
    const t = await target(kind, 'appliance');
    try {
      const r = await runHelper(jobFor('appliance', kind, t.path));
      expect(r.results, r.stderr + JSON.stringify(r.events.filter((e) => e.kind !== 'progress'))).toEqual([{ targetId: 't1', ok: true, verified: true }]);
      expect(r.exitCode).toBe(0);
      const { verify, parts } = await readGpt(t.path);
      expect(verify).toMatch(/No problems found/);
      expect(parts.map((p) => [p.name, p.typeGuid, p.attributes])).toEqual([
        ['IIOS-ESP', GUID.esp, '0000000000000000'],
        ['iios-root-a', GUID.root, '0000000000000000'],
        ['iios-verity-a', GUID.verity, RO_ATTR],
        ['iios-root-b', GUID.root, '0000000000000000'],
        ['iios-verity-b', GUID.verity, RO_ATTR],
        ['iios-data', GUID.data, '0000000000000000'],
      ]);
      const stamp = await checkStamp(t.path, parts, 'appliance');
      expect(stamp.slots.a!.rootHash).toBe(bundle.manifest.verity.rootHash);
      for (const slot of ['a', 'b'] as const) {
        expect(await verityVerify(t.path, parts, slot, stamp.slots[slot]!.rootHash)).toBe(0);
        const p = partByName(parts, `iios-root-${slot}`);
        expect(await sha256Range(t.path, p.start * 512, bundle.manifest.rootfs.sizeBytes)).toBe(stamp.slots[slot]!.rootfsSha256);
      }
      expect(await espFile(t.path, parts, '/loader/loader.conf')).toBe('default iios-a*\ntimeout 0\nconsole-mode keep\neditor no\n');
      expect(await espFile(t.path, parts, '/loader/entries/iios-b+3.conf')).toContain('iios.slot=b iios.roothash=');
      const data = partByName(parts, 'iios-data');
      expect(await btrfsSubvolumes(t.path, data)).toEqual(['@caches', '@home', '@iios', '@snapshots', '@state']);
      const copied = await withMountedPart(t.path, data, async (dir) => ({
        bundle: await sha256File(join(dir, '@iios/bundles/iios-test-7.1/root.squashfs')),
        deb: await readFile(join(dir, '@caches/apt/archives/hello_1.0_amd64.deb'), 'utf8'),
        profile: (JSON.parse(await readFile(join(dir, '@iios/profiles/appliance.json'), 'utf8')) as { id: string; mode: string }).mode,
      }));
      expect(copied).toEqual({ bundle: bundle.manifest.files['root.squashfs']!.sha256, deb: 'not really a deb\n', profile: 'ab' });
      expect((stamp as unknown as { caches: unknown[] }).caches).toEqual([{ kind: 'apt', files: 2, sizeBytes: 3017, manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
      expect(r.phases('t1')).toContain('caches');
      if (kind === 'image-file') expect((await stat(t.path)).blocks * 512).toBeLessThan(200 * MiB);
    } finally {
      await t.cleanup();
    }
  });

  it('classroom: writable Btrfs system with the root unpacked into @ and a read-only factory snapshot', async () => {
    const t = await target(kind, 'classroom');
    try {
      const r = await runHelper(jobFor('classroom', kind, t.path));
      expect(r.results, r.stderr + JSON.stringify(r.events.filter((e) => e.kind !== 'progress'))).toEqual([{ targetId: 't1', ok: true, verified: true }]);
      const { verify, parts } = await readGpt(t.path);
      expect(verify).toMatch(/No problems found/);
      expect(parts.map((p) => p.name)).toEqual(['IIOS-ESP', 'iios-system']);
      const stamp = await checkStamp(t.path, parts, 'classroom');
      expect(Object.keys(stamp.slots)).toEqual(['system']);
      expect(await espFile(t.path, parts, '/loader/entries/iios-system+3.conf')).toContain('iios.mode=writable iios.slot=system iios.root=PARTLABEL=iios-system');
      const sys = partByName(parts, 'iios-system');
      expect(await btrfsSubvolumes(t.path, sys)).toEqual(['@', '@caches', '@home', '@iios', '@snapshots', '@snapshots/factory']);
      const seen = await withMountedPart(t.path, sys, async (dir) => ({
        osRelease: await readFile(join(dir, '@/etc/os-release'), 'utf8'),
        hostname: await readFile(join(dir, '@/etc/hostname'), 'utf8'),
        factory: await readFile(join(dir, '@snapshots/factory/etc/os-release'), 'utf8'),
        profile: (JSON.parse(await readFile(join(dir, '@iios/profiles/classroom.json'), 'utf8')) as { mode: string }).mode,
        bundle: await sha256File(join(dir, '@iios/bundles/iios-test-7.1/root.squashfs')),
      }));
      expect(seen).toEqual({
        osRelease: 'NAME=iios-test\nVERSION=7.1\n',
        hostname: 'classroom-01\n',
        factory: 'NAME=iios-test\nVERSION=7.1\n',
        profile: 'writable',
        bundle: bundle.manifest.files['root.squashfs']!.sha256,
      });
    } finally {
      await t.cleanup();
    }
  });

  it('kiosk: one verity slot and the payload file on iios-payload', async () => {
    const t = await target(kind, 'kiosk');
    try {
      const r = await runHelper(jobFor('kiosk', kind, t.path));
      expect(r.results, r.stderr + JSON.stringify(r.events.filter((e) => e.kind !== 'progress'))).toEqual([{ targetId: 't1', ok: true, verified: true }]);
      const { verify, parts } = await readGpt(t.path);
      expect(verify).toMatch(/No problems found/);
      expect(parts.map((p) => p.name)).toEqual(['IIOS-ESP', 'iios-root-a', 'iios-verity-a', 'iios-payload', 'iios-data']);
      const stamp = await checkStamp(t.path, parts, 'kiosk') as unknown as { slots: Record<string, { rootHash: string }>; payload: { path: string; sha256: string }[] };
      expect(await verityVerify(t.path, parts, 'a', stamp.slots.a!.rootHash)).toBe(0);
      expect(await espFile(t.path, parts, '/loader/entries/iios-a+3.conf')).toContain('iios.payload=PARTLABEL=iios-payload');
      const onStick = await withMountedPart(t.path, partByName(parts, 'iios-payload'), (dir) => sha256File(join(dir, 'piece.html')));
      expect(stamp.payload).toEqual([{ path: '/piece.html', sha256: onStick, sizeBytes: 28 }]);
      expect(onStick).toBe(await sha256File(payloadFile));
      expect(await btrfsSubvolumes(t.path, partByName(parts, 'iios-data'))).toEqual(['@home', '@state']);
    } finally {
      await t.cleanup();
    }
  });

  it('raw: an xz image as it is, then a persistence partition behind it', async () => {
    const t = await target(kind, 'raw');
    try {
      const r = await runHelper(jobFor('raw', kind, t.path));
      expect(r.results, r.stderr + JSON.stringify(r.events.filter((e) => e.kind !== 'progress'))).toEqual([{ targetId: 't1', ok: true, verified: true }]);
      const { verify, parts } = await readGpt(t.path);
      expect(verify).toMatch(/No problems found/);
      expect(parts.map((p) => p.name)).toEqual(['rawroot', 'iios-data']);
      // The image's own partition is untouched (its bytes past the primary GPT read back unchanged).
      const root = partByName(parts, 'rawroot');
      expect(await sha256Range(t.path, root.start * 512, 32 * MiB)).toBe(await sha256Range(raw.plainPath, root.start * 512, 32 * MiB));
      const label = await withMountedPart(t.path, partByName(parts, 'iios-data'), async () => 'mounted');
      expect(label).toBe('mounted');
    } finally {
      await t.cleanup();
    }
  });
});

describe('raw images in every compression, and an MBR-only image with persistence', () => {
  it.each(['gz', 'zst', 'bz2'] as const)('a .%s image is decompressed by the system tool and reads back exactly', async (compress) => {
    const img = await makeRawImage({ mib: 24, compress });
    const path = join(work, `raw-${compress}.img`);
    try {
      const r = await runHelper({ jobId: `raw-${compress}`, profile: profile('raw'), imagePath: img.path, persistence: false, targets: [{ id: 't1', kind: 'image-file', path, sizeBytes: 64 * MiB, hostname: 'raw-01' }] });
      expect(r.results, r.stderr).toEqual([{ targetId: 't1', ok: true, verified: true }]);
      expect(await sha256Range(path, 0, img.bytes)).toBe(img.sha256);
      expect((await readGpt(path)).parts.map((p) => p.name)).toEqual(['rawroot']);
    } finally {
      await img.cleanup();
      await rm(path, { force: true });
    }
  });

  it('an MBR-only image gets its persistence partition appended to the MBR', async () => {
    const img = await makeRawImage({ mib: 24, table: 'mbr' });
    const loop = await makeLoop(400 * MiB);
    try {
      const r = await runHelper({ jobId: 'raw-mbr', profile: profile('raw'), imagePath: img.path, persistence: true, targets: [{ id: 't1', kind: 'device', path: loop.dev, sizeBytes: 400 * MiB, hostname: 'raw-01' }] });
      expect(r.results, r.stderr).toEqual([{ targetId: 't1', ok: true, verified: true }]);
      const dump = JSON.parse((await execa('sfdisk', ['--json', loop.dev])).stdout) as { partitiontable: { label: string; partitions: { start: number; size: number; type: string }[] } };
      expect(dump.partitiontable.label).toBe('dos');
      expect(dump.partitiontable.partitions.map((p) => p.type)).toEqual(['83', '83']);
      const second = dump.partitiontable.partitions[1]!;
      expect(second.start * 512).toBe(24 * MiB);
      const fs = await execa('blkid', ['-p', '-O', String(second.start * 512), '-s', 'LABEL', '-o', 'value', loop.dev]);
      expect(fs.stdout.trim()).toBe('iios-data');
    } finally {
      await loop.cleanup();
      await img.cleanup();
    }
  });
});

describe('a stick with 4096-byte sectors', () => {
  it('appliance onto a 4Kn loop device: GPT in 4 KiB sectors, FAT32 ESP with 4 KiB sectors, slots verify', async () => {
    const loop = await makeLoop(SIZES.appliance!, 4096);
    try {
      const r = await runHelper(jobFor('appliance', 'device', loop.dev));
      expect(r.results, r.stderr).toEqual([{ targetId: 't1', ok: true, verified: true }]);
      const { verify, parts } = await readGpt(loop.dev);
      expect(verify).toMatch(/No problems found/);
      expect(parts[0]).toMatchObject({ name: 'IIOS-ESP', start: 256, sectorSize: 4096 });
      const esp = await execa('blkid', ['-p', '-O', String(bytesOf(parts[0]!).offset), '-o', 'export', loop.dev]);
      expect(esp.stdout).toMatch(/^LABEL=IIOS-ESP$/m);
      expect(esp.stdout).toMatch(/^BLOCK_SIZE=4096$/m);
      const stamp = await checkStamp(loop.dev, parts, 'appliance');
      for (const slot of ['a', 'b'] as const) expect(await verityVerify(loop.dev, parts, slot, stamp.slots[slot]!.rootHash)).toBe(0);
      expect(await btrfsSubvolumes(loop.dev, partByName(parts, 'iios-data'))).toContain('@iios');
    } finally {
      await loop.cleanup();
    }
  });
});
