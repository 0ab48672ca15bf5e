// Independent read-back of a stick written by the helper, for the helper's tests: only the system tools
// (sgdisk, mtools, losetup, veritysetup, btrfs, mount), none of iios's code, so a bug cannot hide itself.
import { createHash } from 'node:crypto';
import { mkdtemp, open, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const mtoolsEnv = { MTOOLS_SKIP_CHECK: '1' };

export interface TestLoop {
  dev: string;
  file: string;
  /** Detaches (if still attached) and removes the backing file. */
  cleanup(): Promise<void>;
}

/** A loop device over a new sparse file of `bytes`. */
export async function makeLoop(bytes: number, sectorSize: 512 | 4096 = 512): Promise<TestLoop> {
  const dir = await mkdtemp(join(tmpdir(), 'iios-loop-'));
  const file = join(dir, 'disk.img');
  await execa('truncate', ['-s', String(bytes), file]);
  const dev = (await execa('losetup', ['-f', '--show', '-b', String(sectorSize), file])).stdout.trim();
  return {
    dev,
    file,
    async cleanup() {
      const attached = (await execa('losetup', ['-j', file], { reject: false })).stdout;
      for (const line of attached.split('\n')) {
        const d = line.split(':')[0];
        if (d) await execa('losetup', ['-d', d], { reject: false });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface GptPart {
  index: number;
  start: number;
  end: number;
  name: string;
  typeGuid: string;
  attributes: string;
  sectorSize: number;
}

/** `sgdisk -v` output and every partition through `sgdisk -i N`. */
export async function readGpt(disk: string): Promise<{ verify: string; parts: GptPart[] }> {
  const verify = (await execa('sgdisk', ['-v', disk], { reject: false })).stdout;
  const list = (await execa('sgdisk', ['-p', disk])).stdout;
  const sectorSize = Number(/Sector size \(logical(?:\/physical)?\): (\d+)/.exec(list)?.[1] ?? 512);
  const parts: GptPart[] = [];
  for (const m of list.matchAll(/^\s+(\d+)\s+(\d+)\s+(\d+)\s/gm)) {
    const index = Number(m[1]);
    const info = (await execa('sgdisk', ['-i', String(index), disk])).stdout;
    parts.push({
      index,
      start: Number(m[2]),
      end: Number(m[3]),
      name: /^Partition name: '(.*)'$/m.exec(info)?.[1] ?? '',
      typeGuid: (/^Partition GUID code: (\S+)/m.exec(info)?.[1] ?? '').toLowerCase(),
      attributes: /^Attribute flags: (\S+)/m.exec(info)?.[1] ?? '',
      sectorSize,
    });
  }
  return { verify, parts };
}

export function partByName(parts: GptPart[], name: string): GptPart {
  const p = parts.find((x) => x.name === name);
  if (!p) throw new Error(`no partition named ${name} (have ${parts.map((x) => x.name).join(', ')})`);
  return p;
}

export const bytesOf = (p: GptPart) => ({ offset: p.start * p.sectorSize, size: (p.end - p.start + 1) * p.sectorSize });

/** A file off the ESP through mtools (`mtype`), byte-exact, or null when it is not there. */
export async function espFile(disk: string, parts: GptPart[], path: string): Promise<string | null> {
  const { offset } = bytesOf(partByName(parts, 'IIOS-ESP'));
  const r = await execa('mtype', ['-i', `${disk}@@${offset}`, `::${path}`], { env: mtoolsEnv, reject: false, stripFinalNewline: false });
  return r.exitCode === 0 ? r.stdout : null;
}

export async function withLoopOver<T>(disk: string, part: GptPart, fn: (dev: string) => Promise<T>, readOnly = true): Promise<T> {
  const { offset, size } = bytesOf(part);
  const dev = (await execa('losetup', ['-f', '--show', ...(readOnly ? ['-r'] : []), '-o', String(offset), '--sizelimit', String(size), disk])).stdout.trim();
  try {
    return await fn(dev);
  } finally {
    await execa('losetup', ['-d', dev], { reject: false });
  }
}

/** `veritysetup verify` of a slot against its hash partition; returns the exit code. */
export async function verityVerify(disk: string, parts: GptPart[], slot: 'a' | 'b', rootHash: string): Promise<number> {
  return withLoopOver(disk, partByName(parts, `iios-root-${slot}`), (data) =>
    withLoopOver(disk, partByName(parts, `iios-verity-${slot}`), async (hash) => (await execa('veritysetup', ['verify', data, hash, rootHash], { reject: false })).exitCode ?? -1),
  );
}

/** Runs fn with a partition mounted (ext4, Btrfs) in a temp dir: read-only unless a test alters the stick. */
export async function withMountedPart<T>(disk: string, part: GptPart, fn: (dir: string) => Promise<T>, readOnly = true): Promise<T> {
  return withLoopOver(disk, part, async (dev) => {
    const dir = await mkdtemp(join(tmpdir(), 'iios-check-'));
    try {
      await execa('mount', [...(readOnly ? ['-o', 'ro'] : []), dev, dir]);
      try {
        return await fn(dir);
      } finally {
        await execa('umount', [dir]);
      }
    } finally {
      await rmdir(dir);
    }
  }, readOnly);
}

/** `btrfs subvolume list` of a Btrfs partition, sorted. */
export async function btrfsSubvolumes(disk: string, part: GptPart): Promise<string[]> {
  return withMountedPart(disk, part, async (dir) => {
    const out = (await execa('btrfs', ['subvolume', 'list', dir])).stdout;
    return out.split('\n').map((l) => / path (.+)$/.exec(l)?.[1]).filter((x): x is string => !!x).sort();
  });
}

/** sha256 of a byte range of a disk or file. */
export async function sha256Range(path: string, offset: number, length: number): Promise<string> {
  const fh = await open(path, 'r');
  const h = createHash('sha256');
  const buf = Buffer.alloc(4 << 20);
  try {
    let done = 0;
    while (done < length) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, length - done), offset + done);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      done += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}
