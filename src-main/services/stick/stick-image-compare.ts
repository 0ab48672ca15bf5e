// A raw stick (the raw profile: a disk image written as it is) compared with the image it was written from:
// the image decompressed on the way when it is .xz/.gz/.zst/.bz2 (the same system tools as images.ts), the
// first imageBytes of the stick read alongside, both hashed (sha256) and compared chunk by chunk so that a
// difference has a place. A raw stick carries no stamp, so the image itself is the only reference.
//
// One honest exception: when iios added a persistence partition behind the image, it had to extend the image's
// own partition table (GPT: `sgdisk -e` rewrites the protective MBR, the primary header and the entry array;
// MBR: `sfdisk --append` fills a free slot). Those sectors then differ from the image; the caller accepts that
// only when every other byte matches and the image's own entries (and boot code) are unchanged.
import type { TableProblem } from '../../../src-shared/verify/check-said.ts';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { DECOMPRESS, inspectImage } from '../sources/images.ts';

const CHUNK = 4 * 1024 * 1024;
/** The partition-table region is looked for in the image's first MiB (GPT headers say where it ends). */
const HEAD = 1024 * 1024;

export interface TableRegion {
  kind: 'gpt' | 'mbr' | null;
  /** the table sectors are [0, end) */
  end: number;
  /** GPT entry array (bytes) */
  entriesAt: number;
  entrySize: number;
  entryCount: number;
}

/** Where the image's partition table lies, from its first bytes (GPT header at 512 or 4096, else an MBR). */
export function tableRegion(head: Buffer): TableRegion {
  for (const sector of [512, 4096]) {
    if (head.length < sector + 92 || head.toString('latin1', sector, sector + 8) !== 'EFI PART') continue;
    const entriesAt = Number(head.readBigUInt64LE(sector + 72)) * sector;
    const entryCount = head.readUInt32LE(sector + 80);
    const entrySize = head.readUInt32LE(sector + 84);
    if (entrySize < 128 || entryCount > 4096 || entriesAt >= HEAD) continue;
    const end = Math.min(HEAD, Math.ceil((entriesAt + entryCount * entrySize) / sector) * sector);
    return { kind: 'gpt', end, entriesAt, entrySize, entryCount };
  }
  if (head.length >= 512 && head[510] === 0x55 && head[511] === 0xaa) return { kind: 'mbr', end: 512, entriesAt: 446, entrySize: 16, entryCount: 4 };
  return { kind: null, end: 0, entriesAt: 0, entrySize: 0, entryCount: 0 };
}

/** What in the table region must not have changed: the boot code, the image's MBR entries (a GPT's 0xEE
 *  protective entry may grow with the disk) and every non-empty GPT entry of the image. */
export function keptTableProblems(image: Buffer, stick: Buffer, region: TableRegion): TableProblem[] {
  if (region.kind === null) return [{ what: 'no-table' }];
  const same = (at: number, len: number) => image.subarray(at, at + len).equals(stick.subarray(at, at + len));
  const problems: TableProblem[] = [];
  if (!same(0, 446)) problems.push({ what: 'boot-code' });
  if (!same(510, 2)) problems.push({ what: 'mbr-signature' });
  for (let i = 0; i < 4; i++) {
    const at = 446 + 16 * i;
    const type = image[at + 4];
    if (type !== 0 && type !== 0xee && !same(at, 16)) problems.push({ what: 'mbr-entry', index: i + 1 });
  }
  if (region.kind === 'gpt') {
    for (let i = 0; i < region.entryCount; i++) {
      const at = region.entriesAt + i * region.entrySize;
      if (at + region.entrySize > image.length) break;
      if (image.subarray(at, at + 16).every((b) => b === 0)) continue; // an empty entry: iios may have used it
      if (!same(at, region.entrySize)) problems.push({ what: 'gpt-entry', index: i + 1 });
    }
  }
  return problems;
}

/** One of them in English (logs, `--json`). */
export function tableProblemEnglish(p: TableProblem): string {
  switch (p.what) {
    case 'no-table':
      return 'the image has no partition table, yet its first bytes differ';
    case 'boot-code':
      return 'the boot code of the first sector differs';
    case 'mbr-signature':
      return 'the MBR signature differs';
    case 'mbr-entry':
      return `MBR entry ${p.index} differs`;
    case 'gpt-entry':
      return `GPT entry ${p.index} differs`;
  }
}

export interface ImageComparison {
  imageBytes: number;
  imageSha256: string;
  /** sha256 of the stick's first imageBytes (of what it has, when it is shorter) */
  stickSha256: string;
  region: TableRegion;
  differingBytes: number;
  /** of those, the ones outside the table region */
  differingPastTable: number;
  firstDiff: number | null;
  /** the first differing byte outside the table region */
  firstDiffPastTable: number | null;
  /** the stick ended at this byte, before the image did */
  stickEndsAt: number | null;
  tableProblems: TableProblem[];
}

/** The decompressed bytes of the image, as chunks (the system tool for compressed images). */
async function* imageChunks(path: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const { compression } = await inspectImage(path);
  if (compression === 'none') {
    for await (const c of createReadStream(path, { highWaterMark: CHUNK, signal })) yield c as Buffer;
    return;
  }
  const [cmd, ...args] = DECOMPRESS[compression];
  const child = spawn(cmd!, [...args, path], { stdio: ['ignore', 'pipe', 'pipe'], signal });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  child.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let drained = false;
  try {
    for await (const c of child.stdout) yield c as Buffer;
    drained = true;
  } finally {
    // Stopped early (a failure or cancel on our side): the decompressor is not needed any more.
    if (!drained) child.kill();
  }
  const code = await exited;
  if (code !== 0) throw new Error(`${cmd} could not decompress ${path}: ${stderr.trim() || `exit ${code}`}`);
}

export async function compareWithImage(
  stickPath: string,
  imagePath: string,
  opts: { signal?: AbortSignal; onBytes?: (done: number, total: number) => void } = {},
): Promise<ImageComparison> {
  const total = (await inspectImage(imagePath)).uncompressedBytes ?? 0;
  const fh = await open(stickPath, 'r');
  const imageHash = createHash('sha256');
  const stickHash = createHash('sha256');
  const imageHead = Buffer.alloc(HEAD);
  const stickHead = Buffer.alloc(HEAD);
  const pending = Buffer.allocUnsafe(CHUNK);
  const stickBuf = Buffer.allocUnsafe(CHUNK);
  const out: Omit<ImageComparison, 'imageSha256' | 'stickSha256' | 'tableProblems'> = {
    imageBytes: 0, region: tableRegion(Buffer.alloc(0)), differingBytes: 0, differingPastTable: 0, firstDiff: null, firstDiffPastTable: null, stickEndsAt: null,
  };
  let filled = 0;

  const compareChunk = async (n: number) => {
    const pos = out.imageBytes;
    if (pos === 0) out.region = tableRegion(pending.subarray(0, Math.min(n, HEAD)));
    let got = 0;
    while (got < n && out.stickEndsAt === null) {
      const { bytesRead } = await fh.read(stickBuf, got, n - got, pos + got);
      if (bytesRead === 0) out.stickEndsAt = pos + got;
      got += bytesRead;
    }
    imageHash.update(pending.subarray(0, n));
    stickHash.update(stickBuf.subarray(0, got));
    if (pos < HEAD) {
      pending.copy(imageHead, pos, 0, Math.min(n, HEAD - pos));
      stickBuf.copy(stickHead, pos, 0, Math.min(got, HEAD - pos));
    }
    if (!pending.subarray(0, got).equals(stickBuf.subarray(0, got))) {
      for (let i = 0; i < got; i++) {
        if (pending[i] === stickBuf[i]) continue;
        out.differingBytes++;
        out.firstDiff ??= pos + i;
        if (pos + i < out.region.end) continue;
        out.differingPastTable++;
        out.firstDiffPastTable ??= pos + i;
      }
    }
    out.imageBytes += n;
    opts.onBytes?.(out.imageBytes, Math.max(total, out.imageBytes));
  };

  try {
    for await (const chunk of imageChunks(imagePath, opts.signal)) {
      let at = 0;
      while (at < chunk.length) {
        const take = Math.min(chunk.length - at, CHUNK - filled);
        chunk.copy(pending, filled, at, at + take);
        filled += take;
        at += take;
        if (filled === CHUNK) {
          await compareChunk(filled);
          filled = 0;
        }
      }
    }
    if (filled > 0) await compareChunk(filled);
  } finally {
    await fh.close();
  }
  const headLen = Math.min(HEAD, out.imageBytes);
  const tableChanged = out.firstDiff !== null && out.firstDiff < out.region.end;
  return {
    ...out,
    imageSha256: imageHash.digest('hex'),
    stickSha256: stickHash.digest('hex'),
    tableProblems: tableChanged ? keptTableProblems(imageHead.subarray(0, headLen), stickHead.subarray(0, headLen), out.region) : [],
  };
}
