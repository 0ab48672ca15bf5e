// The clone's source, opened so that it cannot be written: one read-only loop (`losetup -r`, the kernel refuses
// every write) over the whole stick or image, and each Btrfs partition behind its own read-only loop, mounted
// `ro`. On a read-only device the kernel refuses the log replay a plain ro mount would do (a stick pulled without
// unmounting has a log tree): such a source is mounted `ro,rescue=nologreplay` instead, on which this kernel
// refuses `btrfs send` (EROFS), so its snapshots are copied file by file (canSend false). A source mounted
// read-write elsewhere is refused: its content is changing, and a clone of it would be neither old nor new.
import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, realpath, rmdir, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { BundleManifestSchema, type BundleManifest } from '../../src-shared/profile/bundle-manifest.ts';
import { ImageProfileSchema, type ImageProfile } from '../../src-shared/profile/profile-schema.ts';
import { StickStampSchema, type StickStamp } from '../../src-shared/job/stick-stamp.ts';
import { attachLoop, detachLoop } from '../tools/losetup.ts';
import { mount, umount } from '../tools/mount.ts';
import { fatRead } from '../tools/mtools.ts';
import { run } from '../tools/run.ts';
import { tmpdir } from 'node:os';
import { espManifestPath, espProfilePath } from './esp-store.ts';
import { STAMP_PATH } from './stamp.ts';
import { FailureError } from '../context.ts';
import { sourceRefusal } from './clone-refusals.ts';

export interface SourcePartition {
  index: number;
  name: string;
  typeGuid: string;
  startBytes: number;
  sizeBytes: number;
}

export interface MountedBtrfs {
  part: SourcePartition;
  dev: string;
  mnt: string;
  usedBytes: number;
  /** false on a `rescue=nologreplay` mount, where btrfs send is refused */
  canSend: boolean;
}

export interface IiosSource {
  stamp: StickStamp;
  stampSha256: string;
  profile: ImageProfile;
  /** Each slot's bundle manifest, from the stick's own @iios/bundles/. */
  manifests: Record<string, BundleManifest>;
  btrfs: MountedBtrfs[];
}

export interface CloneSource {
  path: string;
  /** The read-only loop over the whole source: every read goes through it. */
  loop: string;
  sizeBytes: number;
  sectorSize: number;
  table: 'gpt' | 'dos' | null;
  partitions: SourcePartition[];
  /** End of the last partition (the whole source when it has no table), in bytes. */
  usedEnd: number;
  /** Set when the source is an iios stick whose stamp says complete. */
  iios: IiosSource | null;
  close(): Promise<void>;
}

const SfdiskJson = z.object({
  partitiontable: z.object({
    label: z.string(),
    sectorsize: z.number().int().positive().optional(),
    partitions: z.array(z.object({ node: z.string(), start: z.number(), size: z.number(), type: z.string(), name: z.string().optional() })).default([]),
  }),
});

/** Devices that are, or sit on, the source: itself, its partitions, loops over the source file. */
async function sourceDevices(path: string, isDevice: boolean): Promise<Set<string>> {
  const out = new Set<string>();
  if (isDevice) {
    out.add(path);
    const { stdout } = await run('lsblk', ['-n', '-l', '-p', '-o', 'NAME', path]);
    for (const l of stdout.split('\n')) if (l.trim()) out.add(l.trim());
  } else {
    const { stdout } = await run('losetup', ['--list', '--json']).catch(() => ({ stdout: '' }));
    const loops = stdout.trim() ? (JSON.parse(stdout) as { loopdevices: { name: string; 'back-file'?: string }[] }).loopdevices : [];
    for (const l of loops) if ((l['back-file'] ?? '').replace(/ \(deleted\)$/, '') === path) out.add(l.name);
  }
  return out;
}

/** Mount points where the source (or a partition of it, or a loop over it) is mounted read-write. */
export async function readWriteMounts(path: string, isDevice: boolean): Promise<string[]> {
  const devs = await sourceDevices(path, isDevice);
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const out: string[] = [];
  for (const line of info.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const f = pre.split(' ');
    const opts = f[5] ?? '';
    const src = post.split(' ')[1] ?? '';
    let real = src;
    if (src.startsWith('/dev/')) real = await realpath(src).catch(() => src);
    const loopPart = /^(\/dev\/loop\d+)p\d+$/.exec(real)?.[1];
    if ((devs.has(real) || (loopPart && devs.has(loopPart))) && opts.split(',').includes('rw')) out.push(f[4]!);
  }
  return out;
}

async function readIios(loop: string, parts: SourcePartition[], opened: { devs: string[]; mnts: string[] }, signal: AbortSignal): Promise<IiosSource | null> {
  const esp = parts.find((p) => p.name === 'IIOS-ESP');
  if (!esp) return null;
  const text = await fatRead({ disk: loop, offset: esp.startBytes }, STAMP_PATH, { signal }).catch(() => null);
  if (!text) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text.toString('utf8'));
  } catch {
    return null;
  }
  const parsed = StickStampSchema.safeParse(raw);
  if (!parsed.success || !parsed.data.complete) return null;
  const stamp = parsed.data;
  const btrfs: MountedBtrfs[] = [];
  for (const part of parts.filter((p) => p.name === 'iios-system' || p.name === 'iios-data')) {
    const dev = await attachLoop(loop, part.startBytes, part.sizeBytes, { readOnly: true, signal });
    opened.devs.push(dev);
    const mnt = await mkdtemp(join(tmpdir(), 'iios-clone-src-'));
    let canSend = true;
    try {
      await mount(dev, mnt, ['ro', 'subvolid=5'], { signal });
    } catch {
      canSend = false;
      await mount(dev, mnt, ['ro', 'rescue=nologreplay', 'subvolid=5'], { signal });
    }
    opened.mnts.push(mnt);
    const fs = await statfs(mnt);
    btrfs.push({ part, dev, mnt, usedBytes: (fs.blocks - fs.bfree) * fs.bsize, canSend });
  }
  const home = btrfs.find((b) => b.part.name === 'iios-data') ?? btrfs.find((b) => b.part.name === 'iios-system');
  const where = home ? join(home.mnt, '@iios') : null;
  const fromIios = async (rel: string) => (where ? await readFile(join(where, rel), 'utf8').catch(() => null) : null);
  // a stick with no @iios (kiosk) keeps them on its ESP (esp-store.ts), each recorded in the stamp's espFiles
  const fromEsp = async (fatPath: string) => {
    const b = await fatRead({ disk: loop, offset: esp.startBytes }, fatPath, { signal }).catch(() => null);
    if (!b) return null;
    const want = stamp.espFiles[fatPath];
    const got = createHash('sha256').update(b).digest('hex');
    if (want && got !== want) throw new FailureError(`the stick's ESP file ${fatPath} reads with sha256 ${got}, its stamp says ${want}: it is damaged; clone the stick raw instead`, { key: 'clone-refused', ...sourceRefusal({ reason: 'source-esp-damaged', file: fatPath }) });
    return b.toString('utf8');
  };
  const profileText = (await fromIios(join('profiles', `${stamp.profile}.json`))) ?? (await fromEsp(espProfilePath(stamp.profile)));
  if (!profileText) {
    throw new FailureError(`the stick "${stamp.hostname}" carries no profile in @iios/profiles/ or on its ESP (written by an older iios?): write it again, or clone it raw from an image`, { key: 'clone-refused', ...sourceRefusal({ reason: 'source-no-profile', hostname: stamp.hostname }) });
  }
  const profile = ImageProfileSchema.parse(JSON.parse(profileText));
  const manifests: Record<string, BundleManifest> = {};
  for (const [slot, s] of Object.entries(stamp.slots)) {
    const m = (await fromIios(join('bundles', `${s.bundle}-${s.version}`, 'manifest.json'))) ?? (await fromEsp(espManifestPath(s.bundle, s.version)));
    if (!m) throw new FailureError(`slot ${slot}: the manifest of the bundle ${s.bundle} ${s.version} is neither in the stick's @iios/bundles/ nor on its ESP`, { key: 'clone-refused', ...sourceRefusal({ reason: 'source-no-manifest', slot, bundle: s.bundle, version: s.version }) });
    manifests[slot] = BundleManifestSchema.parse(JSON.parse(m));
  }
  return { stamp, stampSha256: createHash('sha256').update(text).digest('hex'), profile, manifests, btrfs };
}

/** Opens the source read-only and reads what it is. Call close() when the job is over, whatever happened. */
export async function openCloneSource(given: string, signal: AbortSignal): Promise<CloneSource> {
  const path = await realpath(given).catch(() => {
    throw new FailureError(`the source ${given} does not exist`, { key: 'clone-refused', ...sourceRefusal({ reason: 'source-missing', source: given }) });
  });
  const st = await stat(path);
  if (!st.isBlockDevice() && !st.isFile()) throw new FailureError(`the source ${given} is neither a block device nor an image file`, { key: 'clone-refused', ...sourceRefusal({ reason: 'source-not-disk', source: given }) });
  const head = Buffer.alloc(4);
  const rw = await readWriteMounts(path, st.isBlockDevice());
  if (rw.length) throw new FailureError(`the source ${given} is mounted read-write at ${rw.join(', ')}: its content is changing; unmount it (or remount it read-only) first`, { key: 'clone-refused', ...sourceRefusal({ reason: 'source-mounted', source: given, at: rw }) });
  const opened = { devs: [] as string[], mnts: [] as string[] };
  const close = async () => {
    for (const m of opened.mnts.reverse()) {
      await umount(m);
      await rmdir(m).catch(() => undefined);
    }
    for (const d of opened.devs.reverse()) await detachLoop(d);
  };
  try {
    const { stdout: loopOut } = await run('losetup', ['-f', '--show', '-r', path], { signal });
    const loop = loopOut.trim();
    opened.devs.push(loop);
    const sizeBytes = Number((await run('blockdev', ['--getsize64', loop], { signal })).stdout.trim());
    const fh = await open(loop, 'r');
    await fh.read(head, 0, 4, 0).finally(() => fh.close());
    if (head.toString('hex') === '28b52ffd') throw new FailureError(`the source ${given} is zstd-compressed: decompress it first (zstd -d)`, { key: 'clone-refused', ...sourceRefusal({ reason: 'source-zstd', source: given }) });
    const r = await run('sfdisk', ['--json', loop], { signal, okExitCodes: [0, 1] });
    let table: CloneSource['table'] = null;
    let sectorSize = 512;
    let partitions: SourcePartition[] = [];
    if (r.exitCode === 0 && r.stdout.trim()) {
      const t = SfdiskJson.parse(JSON.parse(r.stdout)).partitiontable;
      sectorSize = t.sectorsize ?? 512;
      table = t.label === 'gpt' ? 'gpt' : 'dos';
      partitions = t.partitions.map((p) => ({
        index: Number(/(\d+)$/.exec(p.node)?.[1] ?? 0),
        name: p.name ?? '',
        typeGuid: p.type.toLowerCase(),
        startBytes: p.start * sectorSize,
        sizeBytes: p.size * sectorSize,
      }));
    }
    const lastEnd = Math.max(0, ...partitions.map((p) => p.startBytes + p.sizeBytes));
    // A GPT's backup header sits at the very end; the raw copy stops at the last partition and moves it (sgdisk -e).
    const usedEnd = partitions.length ? lastEnd : sizeBytes;
    const iios = table === 'gpt' ? await readIios(loop, partitions, opened, signal) : null;
    return { path, loop, sizeBytes, sectorSize, table, partitions, usedEnd, iios, close };
  } catch (err) {
    await close();
    throw err;
  }
}
