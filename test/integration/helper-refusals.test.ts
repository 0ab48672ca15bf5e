// Refusals before anything is written, by the helper itself (the app is bypassed: the job goes straight
// to the helper): a bundle file with a wrong sha256, a truncated root image, a target too small, the
// system disk, an invalid job, image-file targets it must not replace, sources the user who started iios
// cannot read, caches that do not fit the data partition. The target's bytes are compared before and after.
import { readFileSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, mkdtemp, open, readdir, readlink, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheRoomBytes } from '../../src-shared/caches/cache-fit.ts';
import { groupDigits } from '../../src-shared/format/bytes.ts';
import { planLayout } from '../../src-shared/layout/index.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { validateBundleManifest } from '../../src-shared/profile/index.ts';
import { makeBundle, sha256File, type TestBundle } from '../support/make-bundle.ts';
import { makeRawImage, type RawImage } from '../support/make-raw-image.ts';
import { runHelper } from '../support/run-helper.ts';
import { makeLoop, type TestLoop } from '../support/helper-checks.ts';
import { systemDisk } from '../support/system-disk.ts';

const ROOT_ON_DISK = (await systemDisk()) !== null;

const MiB = 1024 * 1024;
const classroom = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/classroom.yaml'), 'utf8'), 'classroom.yaml', 'classroom');

let bundle: TestBundle;
let work: string;
let loop: TestLoop;

beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 2 * MiB });
  work = await mkdtemp(join(tmpdir(), 'iios-refuse-'));
  // An "old stick": a GPT and recognisable bytes at the start and the end.
  loop = await makeLoop(720 * MiB);
  await execa('sgdisk', ['-o', '-n', '1:2048:+100M', '-c', '1:old-stick', loop.dev]);
  const fh = await open(loop.dev, 'r+');
  await fh.write(Buffer.alloc(MiB, 0xa5), 0, MiB, 200 * MiB);
  await fh.close();
});
afterAll(async () => {
  await loop?.cleanup();
  await bundle?.cleanup();
  await rm(work, { recursive: true, force: true });
});

async function bundleCopy(name: string, spoil: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(work, name);
  await cp(bundle.dir, dir, { recursive: true });
  await spoil(dir);
  return dir;
}

const job = (bundleDir: string, target: { kind: 'device' | 'image-file'; path: string; sizeBytes?: number }) => ({
  jobId: 'refusal',
  profile: classroom,
  bundleDir,
  manifest: bundle.manifest,
  targets: [{ id: 't1', sizeBytes: 720 * MiB, hostname: 'class-01', ...target }],
});

/** Runs the job and checks it was refused with nothing written: no step past "check", loop bytes unchanged. */
async function expectRefused(j: unknown, message: RegExp) {
  const before = await sha256File(loop.file);
  const r = await runHelper(j);
  expect(r.error ?? '').toMatch(message);
  expect(r.exitCode).not.toBe(0);
  for (const e of r.events) if (e.kind === 'phase') expect(e.phase).toBe('check');
  expect(r.results?.every((x) => !x.ok)).toBe(true);
  expect(await sha256File(loop.file)).toBe(before);
  return r;
}

describe('helper refuses before writing anything', () => {
  it('a bundle file whose sha256 differs from the manifest', async () => {
    const dir = await bundleCopy('flipped', async (d) => {
      const fh = await open(join(d, 'vmlinuz'), 'r+');
      await fh.write(Buffer.from('X'), 0, 1, 3);
      await fh.close();
    });
    await expectRefused(job(dir, { kind: 'device', path: loop.dev }), /bundle file vmlinuz has sha256 [0-9a-f]{64}, the manifest says/);
  });

  it('a truncated root image', async () => {
    const dir = await bundleCopy('truncated', (d) => truncate(join(d, 'root.squashfs'), bundle.manifest.rootfs.sizeBytes - 4096));
    await expectRefused(job(dir, { kind: 'device', path: loop.dev }), /root\.squashfs is \d+ bytes, the manifest says \d+ \(truncated or replaced\)/);
  });

  it('a target too small for the profile', async () => {
    const small = await makeLoop(300 * MiB);
    try {
      const before = await sha256File(small.file);
      const r = await runHelper(job(bundle.dir, { kind: 'device', path: small.dev }));
      expect(r.failed('t1')?.message).toMatch(/target is 315 MB but the classroom profile needs at least/);
      expect(r.phases('t1')).toEqual(['check']);
      expect(await sha256File(small.file)).toBe(before);
    } finally {
      await small.cleanup();
    }
  });

  it('caches that fit the free bytes but not with what Btrfs keeps for itself (the app\'s fit rule, checked again here)', async () => {
    // the bytes the data partition has beyond the plan's minimum; the cache takes all but a few MiB of them, so
    // only the partition's own metadata and reserve (cache-fit.ts) tell that it will not fit
    const plan = planLayout(classroom, validateBundleManifest(bundle.manifest), 720 * MiB);
    const headroom = plan.diskBytes - plan.neededBytes;
    const cache = join(work, 'nearly-fits');
    await mkdir(cache, { recursive: true });
    const bytes = headroom - 4 * MiB;
    await writeFile(join(cache, 'big.bin'), '');
    await truncate(join(cache, 'big.bin'), bytes);
    const content = { bytes, files: 1 };
    const room = cacheRoomBytes(content, plan.partitions.at(-1)!.sizeBytes - headroom);
    expect(bytes).toBeLessThan(headroom);
    expect(room).toBeGreaterThan(headroom);
    const needed = groupDigits(plan.neededBytes + room);
    await expectRefused(
      { ...job(bundle.dir, { kind: 'device', path: loop.dev }), caches: [{ kind: 'files', path: cache }] },
      new RegExp(`the caches \\([\\d.]+ MB in 1 file\\) need more room than this [\\d.]+ MB target leaves for them .* it needs at least [\\d.]+ MB \\(${needed} bytes\\); choose a larger stick or a smaller cache set`),
    );
  });

  it('an image file too small is not even created', async () => {
    const path = join(work, 'small.img');
    const r = await runHelper(job(bundle.dir, { kind: 'image-file', path, sizeBytes: 100 * MiB }));
    expect(r.failed('t1')?.message).toMatch(/too small|needs at least/);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  // / on an overlay or tmpfs (a container): there is no system disk to name
  it.skipIf(!ROOT_ON_DISK)('the system disk, even when the app was bypassed; the other target is not written either', async () => {
    const root = (await execa('findmnt', ['-n', '-o', 'SOURCE', '/'])).stdout.trim().replace(/\[.*\]$/, '');
    const disk = (await execa('lsblk', ['-n', '-p', '-s', '-o', 'NAME,TYPE', root])).stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .find(([, type]) => type === 'disk' || type === 'loop')?.[0];
    expect(disk, `the disk under / (${root})`).toBeTruthy();
    const j = { ...job(bundle.dir, { kind: 'device', path: disk! }), targets: [
      { id: 't1', kind: 'device', path: disk!, sizeBytes: 720 * MiB, hostname: 'class-01' },
      { id: 't2', kind: 'device', path: loop.dev, sizeBytes: 720 * MiB, hostname: 'class-02' },
    ] };
    const r = await expectRefused(j, /holds the running system; iios never writes to it/);
    expect(r.failed('t1')?.message).toMatch(/holds the running system/);
    expect(r.failed('t2')?.message).toBe('not written: another target of this job was refused');
    // typed for the reader's language: the drive rule's reason, and the other target's
    expect(r.failed('t1')?.failure).toMatchObject({ key: 'refused', reasons: expect.arrayContaining(['system']) });
    expect(r.failed('t2')?.failure).toEqual({ key: 'other-refused' });
  });

  it('a mounted target unless the job allows unmounting it', async () => {
    const stick = await makeLoop(720 * MiB);
    const dir = await mkdtemp(join(tmpdir(), 'iios-mounted-'));
    try {
      // No lazy init: ext4lazyinit would otherwise write the inode tables in the background while mounted, and
      // the bytes compared below would change with nobody else touching the stick.
      await execa('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', stick.dev]);
      // Read-only: a read-write ext4 flushes its superblock and journal some seconds after mounting, which would
      // change the bytes compared below with nobody else touching the stick. Mounted is mounted either way.
      await execa('mount', ['-o', 'ro', stick.dev, dir]);
      const before = await sha256File(stick.file);
      const refused = await runHelper(job(bundle.dir, { kind: 'device', path: stick.dev }));
      expect(refused.failed('t1')?.message).toMatch(new RegExp(`is mounted at ${dir}; unmount it first or allow unmounting`));
      expect(await sha256File(stick.file)).toBe(before);
      const r = await runHelper({ ...job(bundle.dir, { kind: 'device', path: stick.dev }), unmountIfMounted: true });
      expect(r.results).toEqual([{ targetId: 't1', ok: true, verified: true }]);
      expect(r.events).toContainEqual({ kind: 'log', targetId: 't1', level: 'info', message: `unmounting ${dir}` });
      expect((await execa('findmnt', ['-rn', '-o', 'TARGET'])).stdout.split('\n')).not.toContain(dir);
    } finally {
      await execa('umount', [dir], { reject: false });
      await rm(dir, { recursive: true, force: true });
      await stick.cleanup();
    }
  });

  it('a job that does not pass the schema', async () => {
    const r = await runHelper({ ...job(bundle.dir, { kind: 'device', path: loop.dev }), targets: [{ id: 't1', kind: 'device', path: 'sda', sizeBytes: 1, hostname: 'X' }] });
    expect(r.error).toMatch(/^the job is not valid/);
    expect(r.events.filter((e) => e.kind === 'phase')).toEqual([]);
  });

  it('an image-file target inside the bundle', async () => {
    const dir = await bundleCopy('inside', async (d) => writeFile(join(d, 'extra.txt'), 'x'));
    const r = await runHelper(job(dir, { kind: 'image-file', path: join(dir, 'root.squashfs') }));
    expect(r.failed('t1')?.message).toMatch(/is \(or is inside\) the image source/);
    expect(await sha256File(join(dir, 'root.squashfs'))).toBe(bundle.manifest.files['root.squashfs']!.sha256);
  });
});

describe('image-file targets the helper will not replace', () => {
  it('an existing file that is not a disk image, even named .img: refused, and left byte for byte', async () => {
    const path = join(work, 'notes.img');
    await writeFile(path, 'lesson plans, not a disk image\n'.repeat(200));
    const before = await sha256File(path);
    const r = await runHelper(job(bundle.dir, { kind: 'image-file', path }));
    expect(r.failed('t1')?.message).toMatch(/notes\.img already exists and does not look like a disk image; iios would replace it — move or delete it/);
    expect(r.phases('t1')).toEqual(['check']);
    expect(await sha256File(path)).toBe(before);
  });

  it('a file under /etc, named directly or through a symlinked folder: refused, and nothing created', async () => {
    const name = `iios-refusal-${process.pid}.img`;
    const direct = await runHelper(job(bundle.dir, { kind: 'image-file', path: `/etc/${name}` }));
    expect(direct.failed('t1')?.message).toMatch(new RegExp(`/etc/${name} is inside /etc, a system folder; write the image file to a folder of your own`));
    const link = join(work, 'out-link');
    await symlink('/etc', link);
    const through = await runHelper(job(bundle.dir, { kind: 'image-file', path: join(link, name) }));
    expect(through.failed('t1')?.message).toMatch(/is inside \/etc, a system folder/);
    for (const r of [direct, through]) expect(r.phases('t1')).toEqual(['check']);
    await expect(stat(`/etc/${name}`)).rejects.toThrow(/ENOENT/);
  });

  it('a symbolic link as the target: refused; the link and the file it names are left as they were', async () => {
    const real = join(work, 'kept.txt');
    await writeFile(real, 'keep me\n');
    const link = join(work, 'link.img');
    await symlink(real, link);
    const r = await runHelper(job(bundle.dir, { kind: 'image-file', path: link }));
    expect(r.failed('t1')?.message).toMatch(/link\.img is a symbolic link; iios does not write through links/);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(real);
    expect(readFileSync(real, 'utf8')).toBe('keep me\n');
  });
});

describe('not refused', () => {
  it('a loop whose autoclear was set before the job (as udisks sets it) is written, not taken for a removed stick', async () => {
    const stick = await makeLoop(720 * MiB);
    // Another program holds the loop open while `losetup -d` runs: the kernel only sets autoclear then.
    const holder = execa('sh', ['-c', 'exec 3<"$0"; exec sleep 600', stick.dev], { reject: false });
    try {
      await new Promise((r) => setTimeout(r, 300));
      await execa('losetup', ['-d', stick.dev]);
      const autoclear = `/sys/block/${stick.dev.slice('/dev/'.length)}/loop/autoclear`;
      expect(readFileSync(autoclear, 'utf8').trim()).toBe('1');
      const r = await runHelper(job(bundle.dir, { kind: 'device', path: stick.dev }));
      expect(r.results, JSON.stringify(r.events.filter((e) => e.kind === 'target-failed'))).toEqual([{ targetId: 't1', ok: true, verified: true }]);
    } finally {
      holder.kill('SIGTERM');
      await holder;
      await stick.cleanup();
    }
  });
});

describe('sources must be readable by the user who started iios (SUDO_UID)', () => {
  const raw = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/raw.yaml'), 'utf8'), 'raw.yaml', 'raw');
  const nobody = { SUDO_UID: '65534' };
  let image: RawImage;
  let open755: string;
  beforeAll(async () => {
    image = await makeRawImage({ mib: 8 });
    // The image's folder must let nobody through, so that only the file's own mode decides.
    await chmod(dirname(image.path), 0o755);
    await chown(image.path, 0, 0);
    open755 = await mkdtemp(join(tmpdir(), 'iios-as-user-'));
    await chmod(open755, 0o755);
  });
  afterAll(async () => {
    await image?.cleanup();
    if (open755) await rm(open755, { recursive: true, force: true });
  });

  const rawJob = (target: string, extra: Record<string, unknown> = {}) => ({
    jobId: 'as-user',
    profile: raw,
    imagePath: image.path,
    persistence: false,
    targets: [{ id: 't1', kind: 'image-file', path: target, sizeBytes: 64 * MiB, hostname: 'raw-01' }],
    ...extra,
  });

  it('a raw image only root can read (0600, uid 0): refused, nothing created', async () => {
    await chmod(image.path, 0o600);
    const target = join(work, 'as-user-refused.img');
    const r = await runHelper(rawJob(target), { env: nobody });
    expect(r.error).toMatch(new RegExp(`^${image.path} is not readable by the user who started iios \\(uid 65534\\); `));
    expect(r.phases('t1')).toEqual(['check']);
    await expect(stat(target)).rejects.toThrow(/ENOENT/);
  });

  it('the same image readable by everyone (0644): written and verified', async () => {
    await chmod(image.path, 0o644);
    const target = join(work, 'as-user-ok.img');
    const r = await runHelper(rawJob(target), { env: nobody });
    expect(r.results, r.stderr + (r.error ?? '')).toEqual([{ targetId: 't1', ok: true, verified: true }]);
  });

  it('a readable file in a folder closed to the user (0700): refused, naming the folder', async () => {
    const hidden = join(work, 'hidden.html');
    await writeFile(hidden, '<p>kiosk</p>\n', { mode: 0o644 });
    const r = await runHelper(rawJob(join(work, 'as-user-hidden.img'), { payload: [{ sourcePath: hidden, name: 'index.html' }] }), { env: nobody });
    expect(r.error).toMatch(new RegExp(`^${hidden} is not readable by the user who started iios \\(uid 65534\\): the folder ${work} is closed to them`));
  });

  it('a payload file given as a symbolic link is refused; a taken payload leaves no private copy behind', async () => {
    const page = join(open755, 'piece.html');
    await writeFile(page, '<h1>iios</h1>\n');
    await chmod(page, 0o644);
    const link = join(open755, 'piece-link.html');
    await symlink(page, link);
    const linked = await runHelper(rawJob(join(work, 'payload-link.img'), { payload: [{ sourcePath: link, name: 'piece.html' }] }), { env: nobody });
    expect(linked.error).toMatch(new RegExp(`^payload ${link} is a symbolic link; choose the file it points to`));
    const before = (await readdir(tmpdir())).filter((n) => n.startsWith('iios-helper-copies-'));
    const taken = await runHelper(rawJob(join(work, 'payload-taken.img'), { payload: [{ sourcePath: page, name: 'piece.html' }] }), { env: nobody });
    expect(taken.error).toBeNull();
    expect((await readdir(tmpdir())).filter((n) => n.startsWith('iios-helper-copies-'))).toEqual(before);
  });

  it('a cache the user may read is copied as that user onto a classroom stick, which verifies', async () => {
    const userBundle = await makeBundle({ dir: join(open755, 'bundle'), randomBytes: 64 * 1024 });
    // veritysetup leaves its hash file 0600: a bundle the user shares is readable by them
    for (const name of [...Object.keys(userBundle.manifest.files), 'manifest.json']) await chmod(join(userBundle.dir, name), 0o644);
    const cache = join(open755, 'flatpak');
    await mkdir(join(cache, 'repo'), { recursive: true });
    await writeFile(join(cache, 'repo', 'summary'), 'flatpak summary\n');
    const target = join(open755, 'as-user-classroom.img');
    const r = await runHelper(
      {
        ...job(userBundle.dir, { kind: 'image-file', path: target }),
        manifest: userBundle.manifest,
        caches: [{ kind: 'flatpak', path: cache }],
      },
      { env: nobody },
    );
    expect(r.error).toBeNull();
    // the helper's verify re-hashed @caches/flatpak on the stick against the manifest in the stamp
    expect(r.results).toEqual([{ targetId: 't1', ok: true, verified: true }]);
    await rm(target, { force: true });
  });

  it('/etc/shadow as a payload file, and a cache holding a root-only folder: refused', async () => {
    const shadow = await runHelper(rawJob(join(work, 'as-user-shadow.img'), { payload: [{ sourcePath: '/etc/shadow', name: 'shadow' }] }), { env: nobody });
    expect(shadow.error).toMatch(/^\/etc\/shadow is not readable by the user who started iios/);
    const cache = join(open755, 'apt');
    await mkdir(join(cache, 'archives/partial'), { recursive: true, mode: 0o755 });
    await chmod(join(cache, 'archives/partial'), 0o700);
    await writeFile(join(cache, 'archives/a.deb'), 'deb\n');
    const closed = await runHelper(rawJob(join(work, 'as-user-cache.img'), { caches: [{ kind: 'apt', path: cache }] }), { env: nobody });
    expect(closed.error).toMatch(new RegExp(`^${cache}/archives/partial is not readable by the user who started iios`));
    // Without SUDO_UID (root started the helper itself), the same cache passes the read check: what stops this
    // job is only that the raw profile keeps no caches, a rule checked after the sources were read.
    const asRoot = await runHelper(rawJob(join(work, 'as-root-cache.img'), { caches: [{ kind: 'apt', path: cache }] }));
    expect(asRoot.error).not.toMatch(/not readable/);
    expect(asRoot.error).toMatch(/this profile keeps no caches/);
  });
});
