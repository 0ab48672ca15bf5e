// Assembles small iios stick images for the demo OS boot tests, the way the on-stick format (design.md)
// lays them out: GPT by sgdisk, slots by dd, a vfat ESP by mkfs.vfat --offset + mtools (vfat does not mount
// here), Btrfs through a loop device over the partition's byte range. Needs root (losetup, mount).
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const MiB = 1024 * 1024;
const SECTOR = 512;
const TYPE = {
  esp: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  root: '4f68bce3-e8cd-4db1-96e7-fbcaf984b709',
  verity: '2c7357ed-ebd2-46d9-aec1-23d437ec2bf5',
  data: '0fc63daf-8483-4772-8e79-3d69d8477de4',
};
const mtoolsEnv = { MTOOLS_SKIP_CHECK: '1' };

export interface Part {
  name: string;
  type: string;
  sizeMiB: number;
  readOnly?: boolean;
  /** Filled in by partitionImage. */
  offset?: number;
  size?: number;
}

export interface Disk {
  path: string;
  parts: Record<string, Required<Part>>;
}

/** Creates a sparse image holding `parts` back to back from 1 MiB, with GPT names, types and attributes. */
async function partitionImage(path: string, parts: Part[]): Promise<Disk> {
  const totalMiB = 1 + parts.reduce((n, p) => n + p.sizeMiB, 0) + 1;
  await writeFile(path, '');
  await execa('truncate', ['-s', `${totalMiB}M`, path]);
  const create: string[] = [];
  const placed: Record<string, Required<Part>> = {};
  let startMiB = 1;
  parts.forEach((p, i) => {
    const n = i + 1;
    const first = (startMiB * MiB) / SECTOR;
    const last = ((startMiB + p.sizeMiB) * MiB) / SECTOR - 1;
    create.push(`-n${n}:${first}:${last}`, `-t${n}:${p.type}`, `-c${n}:${p.name}`);
    if (p.readOnly) create.push(`-A${n}:set:60`);
    placed[p.name] = { ...p, readOnly: p.readOnly ?? false, offset: startMiB * MiB, size: p.sizeMiB * MiB };
    startMiB += p.sizeMiB;
  });
  await execa('sgdisk', [...create, path]);
  return { path, parts: placed };
}

async function ddInto(disk: Disk, partName: string, file: string): Promise<void> {
  const part = disk.parts[partName];
  if (!part) throw new Error(`no partition ${partName}`);
  const { size } = await stat(file);
  if (size > part.size) throw new Error(`${file} (${size} bytes) does not fit ${partName}`);
  await execa('dd', [`if=${file}`, `of=${disk.path}`, 'bs=1M', `seek=${part.offset / MiB}`, 'conv=notrunc,fsync', 'status=none']);
}

async function withLoop<T>(disk: Disk, partName: string, fn: (dev: string) => Promise<T>): Promise<T> {
  const part = disk.parts[partName];
  if (!part) throw new Error(`no partition ${partName}`);
  const { stdout } = await execa('losetup', ['-f', '--show', '-o', String(part.offset), '--sizelimit', String(part.size), disk.path]);
  const dev = stdout.trim();
  try {
    return await fn(dev);
  } finally {
    await execa('losetup', ['-d', dev], { reject: false });
  }
}

async function withMount<T>(dev: string, options: string[], fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'iios-mnt-'));
  await execa('mount', [...options, dev, dir]);
  try {
    return await fn(dir);
  } finally {
    await execa('umount', [dir], { reject: false });
    await rm(dir, { recursive: true, force: true });
  }
}

/** Formats a Btrfs over the partition and creates the given subvolumes; `fill` may add content while mounted. */
async function makeBtrfs(disk: Disk, partName: string, subvolumes: string[], fill?: (mnt: string) => Promise<void>): Promise<void> {
  await withLoop(disk, partName, async (dev) => {
    await execa('mkfs.btrfs', ['-q', '-f', '-L', partName, dev]);
    await withMount(dev, [], async (mnt) => {
      for (const sv of subvolumes) await execa('btrfs', ['-q', 'subvolume', 'create', join(mnt, sv)]);
      if (fill) await fill(mnt);
    });
  });
}

/** Reads a file from a Btrfs partition of the image (path relative to the top-level subvolume). */
export async function readFromBtrfs(disk: Disk, partName: string, path: string): Promise<string | null> {
  return withLoop(disk, partName, (dev) =>
    withMount(dev, ['-o', 'ro'], async (mnt) => {
      try {
        return await readFile(join(mnt, path), 'utf8');
      } catch {
        return null;
      }
    }),
  );
}

export interface EspContent {
  hostname: string;
  profile: string;
  slots: Record<string, { rootHash?: string }>;
  /** Boot entry file names to create under /loader/entries (contents are not read by the OS). */
  entries: string[];
  /** Makes the ESP bootable by firmware: systemd-boot from the bundle, loader.conf, the kernel and initrd
   *  under /iios/<slot>/ and a real entry `iios-<slot>+3.conf` with these options. */
  bootable?: { bundle: BundleFiles & { kernel: string; initrd: string; bootloader: string }; slot: string; options: string };
}

async function makeEsp(disk: Disk, esp: EspContent, work: string): Promise<void> {
  const part = disk.parts['IIOS-ESP'];
  if (!part) throw new Error('no ESP');
  await execa('mkfs.vfat', ['-n', 'IIOS-ESP', '--offset', String(part.offset / SECTOR), disk.path, String(part.size / 1024)]);
  const img = `${disk.path}@@${part.offset}`;
  const stamp = {
    format: 1,
    complete: true,
    hostname: esp.hostname,
    profile: esp.profile,
    tool: { name: 'iios', version: '0.1.0' },
    createdAt: new Date().toISOString(),
    diskBytes: (await stat(disk.path)).size,
    sectorSize: SECTOR,
    slots: esp.slots,
    caches: [],
    payload: [],
    espFiles: {},
  };
  const stampFile = join(work, 'stick.json');
  await writeFile(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
  await execa('mmd', ['-i', img, '::/iios', '::/loader', '::/loader/entries'], { env: mtoolsEnv });
  await execa('mcopy', ['-i', img, stampFile, '::/iios/stick.json'], { env: mtoolsEnv });
  for (const entry of esp.entries) {
    const file = join(work, entry);
    await writeFile(file, `title ${entry}\n`);
    await execa('mcopy', ['-i', img, file, `::/loader/entries/${entry}`], { env: mtoolsEnv });
  }
  if (esp.bootable) {
    const { bundle, slot, options } = esp.bootable;
    const put = async (src: string, dest: string) => execa('mcopy', ['-i', img, src, dest], { env: mtoolsEnv });
    await execa('mmd', ['-i', img, '::/EFI', '::/EFI/BOOT', `::/iios/${slot}`], { env: mtoolsEnv });
    await put(join(bundle.dir, bundle.bootloader), '::/EFI/BOOT/BOOTX64.EFI');
    await put(join(bundle.dir, bundle.kernel), `::/iios/${slot}/vmlinuz`);
    await put(join(bundle.dir, bundle.initrd), `::/iios/${slot}/initrd.img`);
    await writeFile(join(work, 'loader.conf'), `default iios-${slot}*\ntimeout 0\nconsole-mode keep\neditor no\n`);
    await put(join(work, 'loader.conf'), '::/loader/loader.conf');
    const entry = [
      `title iios demo (slot ${slot})`,
      `sort-key iios-${slot}`,
      `linux /iios/${slot}/vmlinuz`,
      `initrd /iios/${slot}/initrd.img`,
      `options ${options}`,
    ].join('\n');
    await writeFile(join(work, 'entry.conf'), `${entry}\n`);
    await put(join(work, 'entry.conf'), `::/loader/entries/iios-${slot}+3.conf`);
  }
}

/** File names under /loader/entries on the image's ESP. */
export async function espEntries(disk: Disk): Promise<string[]> {
  const part = disk.parts['IIOS-ESP'];
  if (!part) throw new Error('no ESP');
  const { stdout } = await execa('mdir', ['-b', '-i', `${disk.path}@@${part.offset}`, '::/loader/entries'], { env: mtoolsEnv });
  return stdout
    .split('\n')
    .map((l) => l.trim().split('/').pop() ?? '')
    .filter((n) => n.endsWith('.conf'))
    .sort();
}

export interface BundleFiles {
  dir: string;
  rootfs: string;
  hashFile: string;
  rootHash: string;
}

/** A/B stick: ESP, root/verity a and b (same bundle), data Btrfs with @state and @home; with `payload`
 *  (file name -> content) also a kiosk's ext4 iios-payload partition holding those files. */
export async function makeAbDisk(path: string, bundle: BundleFiles, esp: EspContent, payload?: Record<string, string>): Promise<Disk> {
  const rootMiB = Math.ceil((await stat(join(bundle.dir, bundle.rootfs))).size / MiB) + 1;
  const disk = await partitionImage(path, [
    { name: 'IIOS-ESP', type: TYPE.esp, sizeMiB: esp.bootable ? 48 : 16 },
    { name: 'iios-root-a', type: TYPE.root, sizeMiB: rootMiB },
    { name: 'iios-verity-a', type: TYPE.verity, sizeMiB: 1, readOnly: true },
    { name: 'iios-root-b', type: TYPE.root, sizeMiB: rootMiB },
    { name: 'iios-verity-b', type: TYPE.verity, sizeMiB: 1, readOnly: true },
    { name: 'iios-data', type: TYPE.data, sizeMiB: 160 },
    ...(payload ? [{ name: 'iios-payload', type: TYPE.data, sizeMiB: 8 }] : []),
  ]);
  const work = await mkdtemp(join(tmpdir(), 'iios-esp-'));
  try {
    if (payload) {
      const tree = join(work, 'payload');
      await mkdir(tree);
      for (const [name, content] of Object.entries(payload)) await writeFile(join(tree, name), content);
      await withLoop(disk, 'iios-payload', (dev) => execa('mkfs.ext4', ['-q', '-F', '-L', 'iios-payload', '-d', tree, dev]));
    }
    for (const slot of ['a', 'b']) {
      await ddInto(disk, `iios-root-${slot}`, join(bundle.dir, bundle.rootfs));
      await ddInto(disk, `iios-verity-${slot}`, join(bundle.dir, bundle.hashFile));
    }
    await makeEsp(disk, esp, work);
    await makeBtrfs(disk, 'iios-data', ['@state', '@home']);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return disk;
}

/** Writable (classroom) stick: ESP and an iios-system Btrfs whose @ holds the unpacked root. */
export async function makeWritableDisk(path: string, bundle: BundleFiles, esp: EspContent): Promise<Disk> {
  const disk = await partitionImage(path, [
    { name: 'IIOS-ESP', type: TYPE.esp, sizeMiB: 16 },
    { name: 'iios-system', type: TYPE.root, sizeMiB: 160 },
  ]);
  const work = await mkdtemp(join(tmpdir(), 'iios-esp-'));
  try {
    await makeEsp(disk, esp, work);
    await makeBtrfs(disk, 'iios-system', ['@', '@home'], async (mnt) => {
      await execa('unsquashfs', ['-q', '-n', '-f', '-d', join(mnt, '@'), join(bundle.dir, bundle.rootfs)]);
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return disk;
}

/** Flips one bit of the byte at `offsetInPart` inside a partition. */
export async function flipByte(disk: Disk, partName: string, offsetInPart: number): Promise<void> {
  const part = disk.parts[partName];
  if (!part) throw new Error(`no partition ${partName}`);
  const fh = await open(disk.path, 'r+');
  try {
    const buf = Buffer.alloc(1);
    await fh.read(buf, 0, 1, part.offset + offsetInPart);
    buf[0] = (buf[0] ?? 0) ^ 0x01;
    await fh.write(buf, 0, 1, part.offset + offsetInPart);
  } finally {
    await fh.close();
  }
}
