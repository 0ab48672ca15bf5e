// `clone` jobs run by the real helper (child process, real socket): appliance and classroom sticks written,
// changed (a file in @home, a file in the writable system), then cloned onto smaller and larger image files and
// a loop device, and read back with independent tools: sgdisk -v, names and types, veritysetup verify with the
// stamp's root hashes, btrfs subvolume list and btrfs check --readonly, file hashes, distinct UUIDs. The
// source's sha256 is taken before and after every clone and must not change.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeBundle, sha256File, type TestBundle } from '../support/make-bundle.ts';
import { runHelper, type HelperRun } from '../support/run-helper.ts';
import { btrfsSubvolumes, espFile, makeLoop, partByName, readGpt, verityVerify, withLoopOver, withMountedPart, type GptPart } from '../support/helper-checks.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const profile = (id: string) => parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles', `${id}.yaml`), 'utf8'), `${id}.yaml`, id);

let bundle: TestBundle;
let work: string;
let aptCache: string;

beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 3 * MiB, name: 'iios-test', version: '7.1' });
  work = await mkdtemp(join(tmpdir(), 'iios-clone-it-'));
  aptCache = join(work, 'caches/apt');
  await mkdir(join(aptCache, 'archives'), { recursive: true });
  await writeFile(join(aptCache, 'archives/hello_1.0_amd64.deb'), 'not really a deb\n');
});
afterAll(async () => {
  await bundle?.cleanup();
  await rm(work, { recursive: true, force: true });
});

const okRun = (r: HelperRun) => r.stderr + JSON.stringify(r.events.filter((e) => e.kind !== 'progress'));

async function writeSource(id: 'appliance' | 'classroom', path: string, sizeBytes: number): Promise<void> {
  const job = {
    jobId: `src-${id}`,
    profile: profile(id),
    bundleDir: bundle.dir,
    manifest: bundle.manifest,
    targets: [{ id: 'src', kind: 'image-file', path, sizeBytes, hostname: `${id}-src` }],
    caches: [{ kind: 'apt', path: aptCache }],
  };
  const r = await runHelper(job);
  expect(r.results, okRun(r)).toEqual([{ targetId: 'src', ok: true, verified: true }]);
}

async function sha256(path: string): Promise<string> {
  return (await execa('sha256sum', [path])).stdout.split(' ')[0]!;
}

function cloneJob(source: string, targets: { path: string; kind: 'image-file' | 'device'; sizeBytes: number; hostname: string }[], extra: Record<string, unknown> = {}) {
  return { kind: 'clone', jobId: 'clone-it', sourcePath: source, targets: targets.map((t, i) => ({ id: `t${i + 1}`, ...t })), ...extra };
}

async function btrfsUuid(disk: string, part: GptPart): Promise<string> {
  return withLoopOver(disk, part, async (dev) => (await execa('btrfs', ['inspect-internal', 'dump-super', dev])).stdout.match(/^fsid\s+(\S+)/m)![1]!);
}

async function btrfsCheck(disk: string, part: GptPart): Promise<number> {
  return withLoopOver(disk, part, async (dev) => (await execa('btrfs', ['check', '--readonly', dev], { reject: false })).exitCode ?? -1);
}

async function diskGuid(disk: string): Promise<string> {
  return /Disk identifier \(GUID\): (\S+)/.exec((await execa('sgdisk', ['-p', disk])).stdout)![1]!;
}

describe('clone: appliance (A/B verity slots, Btrfs data)', () => {
  let source: string;
  let sourceSha: string;
  beforeAll(async () => {
    source = join(work, 'appliance-src.img');
    await writeSource('appliance', source, 2 * GiB);
    const { parts } = await readGpt(source);
    await withMountedPart(source, partByName(parts, 'iios-data'), async (dir) => {
      await mkdir(join(dir, '@home/pupil'), { recursive: true });
      await writeFile(join(dir, '@home/pupil/notes.txt'), 'homework\n');
      await execa('ln', [join(dir, '@home/pupil/notes.txt'), join(dir, '@home/pupil/notes-link.txt')]);
      await mkdir(join(dir, '@state/upper/var/lib/iios'), { recursive: true });
      await writeFile(join(dir, '@state/upper/var/lib/iios/boot-count'), '4\n');
      await writeFile(join(dir, '@state/boot-count'), '4\n');
    }, false);
    sourceSha = await sha256(source);
  }, 300_000);

  it('onto a smaller image file and a larger loop device: slots verify, data copied, fresh identifiers', async () => {
    const small = join(work, 'appliance-small.img');
    const loop = await makeLoop(3 * GiB);
    try {
      const started = performance.now();
      const r = await runHelper(cloneJob(source, [
        { path: small, kind: 'image-file', sizeBytes: 1700 * MiB, hostname: 'class-01' },
        { path: loop.dev, kind: 'device', sizeBytes: 3 * GiB, hostname: 'class-02' },
      ]));
      console.log(`appliance clone 2 GiB -> 1.7 GiB file + 3 GiB loop: ${((performance.now() - started) / 1000).toFixed(1)} s`);
      expect(r.results, okRun(r)).toEqual([{ targetId: 't1', ok: true, verified: true }, { targetId: 't2', ok: true, verified: true }]);
      const src = await readGpt(source);
      const srcStamp = JSON.parse((await espFile(source, src.parts, '/iios/stick.json'))!) as { slots: Record<string, { rootHash: string }> };
      const srcStampSha = (await execa('sh', ['-c', `mtype -i '${source}@@${partByName(src.parts, 'IIOS-ESP').start * 512}' ::/iios/stick.json | sha256sum`], { env: { MTOOLS_SKIP_CHECK: '1' } })).stdout.split(' ')[0];
      const uuids = new Set([await btrfsUuid(source, partByName(src.parts, 'iios-data'))]);
      const guids = new Set([await diskGuid(source)]);
      for (const [disk, name, bytes] of [[small, 'class-01', 1700 * MiB], [loop.dev, 'class-02', 3 * GiB]] as const) {
        const { verify, parts } = await readGpt(disk);
        expect(verify).toMatch(/No problems found/);
        expect(parts.map((p) => p.name)).toEqual(src.parts.map((p) => p.name));
        expect(parts.map((p) => p.typeGuid)).toEqual(src.parts.map((p) => p.typeGuid));
        const data = partByName(parts, 'iios-data');
        // the data partition takes the target's size: smaller and larger than the source's
        expect((data.end + 1) * 512).toBeGreaterThan(bytes - 2 * MiB);
        const stamp = JSON.parse((await espFile(disk, parts, '/iios/stick.json'))!) as Record<string, unknown> & { slots: Record<string, { rootHash: string }>; clonedFrom: unknown };
        expect(stamp).toMatchObject({ complete: true, hostname: name, profile: 'appliance', clonedFrom: { name: 'appliance-src', stampSha256: srcStampSha } });
        expect(stamp.slots).toEqual(srcStamp.slots);
        for (const slot of ['a', 'b'] as const) expect(await verityVerify(disk, parts, slot, stamp.slots[slot]!.rootHash)).toBe(0);
        expect(await espFile(disk, parts, '/loader/entries/iios-a+3.conf')).toBe(await espFile(source, src.parts, '/loader/entries/iios-a+3.conf'));
        expect(await btrfsSubvolumes(disk, data)).toEqual(['@caches', '@home', '@iios', '@snapshots', '@state']);
        expect(await btrfsCheck(disk, data)).toBe(0);
        const seen = await withMountedPart(disk, data, async (dir) => ({
          notes: await readFile(join(dir, '@home/pupil/notes.txt'), 'utf8'),
          linked: (await stat(join(dir, '@home/pupil/notes.txt'))).nlink,
          bootCount: await readFile(join(dir, '@state/upper/var/lib/iios/boot-count'), 'utf8').catch(() => null),
          abBootCount: await readFile(join(dir, '@state/boot-count'), 'utf8').catch(() => null),
          bundle: await sha256File(join(dir, '@iios/bundles/iios-test-7.1/root.squashfs')),
          deb: await readFile(join(dir, '@caches/apt/archives/hello_1.0_amd64.deb'), 'utf8'),
        }));
        expect(seen).toEqual({ notes: 'homework\n', linked: 2, bootCount: null, abBootCount: null, bundle: bundle.manifest.files['root.squashfs']!.sha256, deb: 'not really a deb\n' });
        uuids.add(await btrfsUuid(disk, data));
        guids.add(await diskGuid(disk));
      }
      expect(uuids.size).toBe(3);
      expect(guids.size).toBe(3);
      expect(await sha256(source)).toBe(sourceSha);
    } finally {
      await rm(small, { force: true });
      await loop.cleanup();
    }
  }, 600_000);

  it('--fresh leaves @home and @state empty', async () => {
    const out = join(work, 'appliance-fresh.img');
    try {
      const r = await runHelper(cloneJob(source, [{ path: out, kind: 'image-file', sizeBytes: 2 * GiB, hostname: 'class-03' }], { fresh: true }));
      expect(r.results, okRun(r)).toEqual([{ targetId: 't1', ok: true, verified: true }]);
      const { parts } = await readGpt(out);
      const seen = await withMountedPart(out, partByName(parts, 'iios-data'), async (dir) => ({
        home: (await execa('ls', ['-A', join(dir, '@home')])).stdout,
        state: (await execa('ls', ['-A', join(dir, '@state')])).stdout,
        deb: await readFile(join(dir, '@caches/apt/archives/hello_1.0_amd64.deb'), 'utf8'),
      }));
      expect(seen).toEqual({ home: '', state: '', deb: 'not really a deb\n' });
      expect(await sha256(source)).toBe(sourceSha);
    } finally {
      await rm(out, { force: true });
    }
  }, 600_000);

  it('a target too small for the content is refused before anything is written', async () => {
    const out = join(work, 'appliance-tiny.img');
    const r = await runHelper(cloneJob(source, [{ path: out, kind: 'image-file', sizeBytes: 1 * GiB, hostname: 'class-04' }]));
    expect(r.results?.[0]?.ok).toBe(false);
    expect(r.failed('t1')?.message).toMatch(/needs at least .*to clone "appliance-src"/);
    expect(r.phases('t1')).toEqual(['check']);
    await expect(stat(out)).rejects.toThrow();
    expect(await sha256(source)).toBe(sourceSha);
  }, 300_000);
});

describe('clone: classroom (writable Btrfs system, factory snapshot)', () => {
  let source: string;
  let sourceSha: string;
  beforeAll(async () => {
    source = join(work, 'classroom-src.img');
    await writeSource('classroom', source, 2 * GiB);
    const { parts } = await readGpt(source);
    await withMountedPart(source, partByName(parts, 'iios-system'), async (dir) => {
      await mkdir(join(dir, '@home/pupil'), { recursive: true });
      await writeFile(join(dir, '@home/pupil/essay.txt'), 'my essay\n');
      await writeFile(join(dir, '@/etc/os-release'), 'NAME=changed-by-pupil\n');
      await mkdir(join(dir, '@/var/lib/iios'), { recursive: true });
      await writeFile(join(dir, '@/var/lib/iios/boot-count'), '7\n');
      await execa('setfattr', ['-n', 'user.iios', '-v', 'kept', join(dir, '@/etc/os-release')]);
    }, false);
    sourceSha = await sha256(source);
  }, 300_000);

  it('onto a smaller and a larger image file: @ up to date, factory still a read-only snapshot, own hostname', async () => {
    const small = join(work, 'classroom-small.img');
    const big = join(work, 'classroom-big.img');
    try {
      const started = performance.now();
      const r = await runHelper(cloneJob(source, [
        { path: small, kind: 'image-file', sizeBytes: 1536 * MiB, hostname: 'class-11' },
        { path: big, kind: 'image-file', sizeBytes: 4 * GiB, hostname: 'class-12' },
      ]));
      console.log(`classroom clone 2 GiB -> 1.5 GiB + 4 GiB files: ${((performance.now() - started) / 1000).toFixed(1)} s`);
      expect(r.results, okRun(r)).toEqual([{ targetId: 't1', ok: true, verified: true }, { targetId: 't2', ok: true, verified: true }]);
      const src = await readGpt(source);
      for (const [disk, name] of [[small, 'class-11'], [big, 'class-12']] as const) {
        const { verify, parts } = await readGpt(disk);
        expect(verify).toMatch(/No problems found/);
        expect(parts.map((p) => [p.name, p.typeGuid])).toEqual(src.parts.map((p) => [p.name, p.typeGuid]));
        const sys = partByName(parts, 'iios-system');
        expect(await btrfsSubvolumes(disk, sys)).toEqual(['@', '@caches', '@home', '@iios', '@snapshots', '@snapshots/factory']);
        expect(await btrfsCheck(disk, sys)).toBe(0);
        const seen = await withMountedPart(disk, sys, async (dir) => ({
          essay: await readFile(join(dir, '@home/pupil/essay.txt'), 'utf8'),
          osRelease: await readFile(join(dir, '@/etc/os-release'), 'utf8'),
          xattr: (await execa('getfattr', ['--only-values', '-n', 'user.iios', join(dir, '@/etc/os-release')])).stdout,
          factory: await readFile(join(dir, '@snapshots/factory/etc/os-release'), 'utf8'),
          factoryRo: (await execa('btrfs', ['property', 'get', '-ts', join(dir, '@snapshots/factory'), 'ro'])).stdout.trim(),
          hostname: await readFile(join(dir, '@/etc/hostname'), 'utf8'),
          bootCount: await readFile(join(dir, '@/var/lib/iios/boot-count'), 'utf8').catch(() => null),
          parentOfRoot: / parent_uuid (\S+)/.exec((await execa('btrfs', ['subvolume', 'list', '-q', dir])).stdout.split('\n').find((l) => / path @$/.test(l))!)![1],
          factoryUuid: /UUID:\s+(\S+)/.exec((await execa('btrfs', ['subvolume', 'show', join(dir, '@snapshots/factory')])).stdout)![1],
        }));
        expect(seen).toMatchObject({
          essay: 'my essay\n',
          osRelease: 'NAME=changed-by-pupil\n',
          xattr: 'kept',
          factory: 'NAME=iios-test\nVERSION=7.1\n',
          factoryRo: 'ro=true',
          hostname: `${name}\n`,
          bootCount: null,
        });
        // @ starts as a snapshot of the received factory snapshot: they share extents as on the source
        expect(seen.parentOfRoot).toBe(seen.factoryUuid);
        const stamp = JSON.parse((await espFile(disk, parts, '/iios/stick.json'))!) as Record<string, unknown>;
        expect(stamp).toMatchObject({ complete: true, hostname: name, clonedFrom: { name: 'classroom-src' } });
      }
      expect(await sha256(source)).toBe(sourceSha);
    } finally {
      await rm(small, { force: true });
      await rm(big, { force: true });
    }
  }, 600_000);

  it('--fresh: the system as changed, @home empty', async () => {
    const out = join(work, 'classroom-fresh.img');
    try {
      const r = await runHelper(cloneJob(source, [{ path: out, kind: 'image-file', sizeBytes: 1536 * MiB, hostname: 'class-13' }], { fresh: true }));
      expect(r.results, okRun(r)).toEqual([{ targetId: 't1', ok: true, verified: true }]);
      const { parts } = await readGpt(out);
      const seen = await withMountedPart(out, partByName(parts, 'iios-system'), async (dir) => ({
        home: (await execa('ls', ['-A', join(dir, '@home')])).stdout,
        osRelease: await readFile(join(dir, '@/etc/os-release'), 'utf8'),
      }));
      expect(seen).toEqual({ home: '', osRelease: 'NAME=changed-by-pupil\n' });
      expect(await sha256(source)).toBe(sourceSha);
    } finally {
      await rm(out, { force: true });
    }
  }, 600_000);

  it('a source mounted read-write, or named as a target, is refused', async () => {
    const r1 = await runHelper(cloneJob(source, [{ path: source, kind: 'image-file', sizeBytes: 2 * GiB, hostname: 'class-14' }]));
    expect(r1.results?.[0]?.ok ?? false).toBe(false);
    expect(r1.error ?? '').toMatch(/source/);
    const { parts } = await readGpt(source);
    const out = join(work, 'classroom-rw.img');
    await withMountedPart(source, partByName(parts, 'iios-system'), async () => {
      const r2 = await runHelper(cloneJob(source, [{ path: out, kind: 'image-file', sizeBytes: 2 * GiB, hostname: 'class-15' }]));
      expect(r2.failed('t1')?.message).toMatch(/mounted read-write/);
    }, false);
    await expect(stat(out)).rejects.toThrow();
    sourceSha = await sha256(source);
  }, 300_000);

  it('content that does not fit the target is refused up front with the size it needs', async () => {
    const { parts } = await readGpt(source);
    await withMountedPart(source, partByName(parts, 'iios-system'), async (dir) => {
      await execa('dd', ['if=/dev/urandom', `of=${join(dir, '@home/pupil/video.bin')}`, 'bs=1M', 'count=600', 'status=none']);
    }, false);
    sourceSha = await sha256(source);
    const out = join(work, 'classroom-full.img');
    // the profile alone fits 1 GiB; 600 MiB in @home does not
    const r = await runHelper(cloneJob(source, [{ path: out, kind: 'image-file', sizeBytes: 1 * GiB, hostname: 'class-16' }]));
    expect(r.failed('t1')?.message).toMatch(/needs at least 1\.\d+ GB .*to clone "classroom-src"/);
    expect(r.phases('t1')).toEqual(['check']);
    await expect(stat(out)).rejects.toThrow();
    expect(await sha256(source)).toBe(sourceSha);
  }, 300_000);
});
