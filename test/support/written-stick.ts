// Independent checks of a stick written through the iios CLI: tools called directly (sfdisk, sgdisk,
// mtools, veritysetup, losetup + mount, btrfs), never iios's own reader, so a bug there cannot hide one here.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export const TYPE = {
  esp: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  root: '4f68bce3-e8cd-4db1-96e7-fbcaf984b709',
  verity: '2c7357ed-ebd2-46d9-aec1-23d437ec2bf5',
  linux: '0fc63daf-8483-4772-8e79-3d69d8477de4',
};

export interface GptPart {
  name: string;
  type: string;
  start: number;
  size: number;
  attrs: string;
}

export async function gptParts(disk: string): Promise<GptPart[]> {
  const { stdout } = await execa('sfdisk', ['--json', disk]);
  const t = (JSON.parse(stdout) as { partitiontable: { partitions: { name?: string; type: string; start: number; size: number; attrs?: string }[] } }).partitiontable;
  return t.partitions.map((p) => ({ name: p.name ?? '', type: p.type.toLowerCase(), start: p.start * 512, size: p.size * 512, attrs: p.attrs ?? '' }));
}

export async function sgdiskVerify(disk: string): Promise<string> {
  const r = await execa('sgdisk', ['-v', disk], { reject: false });
  return r.stdout;
}

export async function readStamp(disk: string): Promise<
  Record<string, unknown> & { complete: boolean; hostname: string; profile: string; slots: Record<string, { rootHash?: string }>; caches: unknown[] }
> {
  const esp = (await gptParts(disk)).find((p) => p.name === 'IIOS-ESP');
  if (!esp) throw new Error(`${disk}: no IIOS-ESP`);
  const r = await execa('mtype', ['-i', `${disk}@@${esp.start}`, '::/iios/stick.json'], { env: { MTOOLS_SKIP_CHECK: '1' } });
  return JSON.parse(r.stdout) as never;
}

export async function espDir(disk: string, dir: string): Promise<string[]> {
  const esp = (await gptParts(disk)).find((p) => p.name === 'IIOS-ESP')!;
  const r = await execa('mdir', ['-b', '-i', `${disk}@@${esp.start}`, `::${dir}`], { env: { MTOOLS_SKIP_CHECK: '1' }, reject: false });
  return r.stdout.split('\n').filter(Boolean).map((l) => l.trim().replace(/^::/, ''));
}

/** Runs fn with a loop device over one partition, detached afterwards even on failure. */
export async function withPartLoop<T>(disk: string, part: GptPart, fn: (dev: string) => Promise<T>, readOnly = true): Promise<T> {
  const args = ['-f', '--show', '-o', String(part.start), '--sizelimit', String(part.size)];
  if (readOnly) args.push('-r');
  const dev = (await execa('losetup', [...args, disk])).stdout.trim();
  try {
    return await fn(dev);
  } finally {
    await execa('losetup', ['-d', dev], { reject: false });
  }
}

/** `veritysetup verify` of slot s with the given root hash; true when it verifies. */
export async function verityVerify(disk: string, slot: string, rootHash: string): Promise<boolean> {
  const parts = await gptParts(disk);
  const root = parts.find((p) => p.name === `iios-root-${slot}`)!;
  const verity = parts.find((p) => p.name === `iios-verity-${slot}`)!;
  return withPartLoop(disk, root, (d) =>
    withPartLoop(disk, verity, async (h) => (await execa('veritysetup', ['verify', d, h, rootHash], { reject: false })).exitCode === 0),
  );
}

/** Mounts a Btrfs partition (read-only unless asked) at a temp dir for fn; unmounts and detaches afterwards. */
export async function withBtrfs<T>(disk: string, partName: string, fn: (mnt: string) => Promise<T>, opts: { readOnly?: boolean; subvol?: string } = {}): Promise<T> {
  const part = (await gptParts(disk)).find((p) => p.name === partName);
  if (!part) throw new Error(`${disk}: no ${partName}`);
  const readOnly = opts.readOnly ?? true;
  return withPartLoop(
    disk,
    part,
    async (dev) => {
      const mnt = await mkdtemp(join(tmpdir(), 'iios-test-mnt-'));
      const o = [readOnly ? 'ro' : 'rw', ...(opts.subvol ? [`subvol=${opts.subvol}`] : [])].join(',');
      await execa('mount', ['-t', 'btrfs', '-o', o, dev, mnt]);
      try {
        return await fn(mnt);
      } finally {
        await execa('umount', [mnt], { reject: false });
        await rm(mnt, { recursive: true, force: true });
      }
    },
    readOnly,
  );
}

export async function btrfsSubvolumes(disk: string, partName: string): Promise<string[]> {
  return withBtrfs(disk, partName, async (mnt) => {
    const { stdout } = await execa('btrfs', ['subvolume', 'list', mnt]);
    return stdout.split('\n').filter(Boolean).map((l) => l.replace(/^.* path /, '')).sort();
  });
}

export async function btrfsCheck(disk: string, partName: string): Promise<boolean> {
  const part = (await gptParts(disk)).find((p) => p.name === partName)!;
  return withPartLoop(disk, part, async (dev) => (await execa('btrfs', ['check', '--readonly', dev], { reject: false })).exitCode === 0);
}

/** A sparse backing file with a loop device over it (a stand-in USB stick). */
export async function makeLoopDisk(dir: string, name: string, sizeBytes: number): Promise<{ dev: string; file: string; detach(): Promise<void> }> {
  const file = join(dir, name);
  await execa('truncate', ['-s', String(sizeBytes), file]);
  const dev = (await execa('losetup', ['-f', '--show', file])).stdout.trim();
  return { dev, file, detach: async () => void (await execa('losetup', ['-d', dev], { reject: false })) };
}
