// Raw disk images (the raw profile): what a file is, by its magic bytes rather than its name, and its
// uncompressed size where that is cheap to know (xz index, gzip trailer, zstd frame header).
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { runTool, startTool } from '../run-tool.ts';
import { wrongFileKind } from '../../../src-shared/format/file-kind.ts';

export type ImageCompression = 'none' | 'xz' | 'gzip' | 'zstd' | 'bzip2';

export interface ImageInfo {
  path: string;
  name: string;
  fileBytes: number;
  compression: ImageCompression;
  /** img | iso | raw from the name (after the compression suffix), or null for another name */
  extension: 'img' | 'iso' | 'raw' | null;
  /** what the (decompressed) start of the image holds */
  content: { iso9660: boolean; partitionTable: 'gpt' | 'mbr' | null };
  /** null when not cheaply knowable (bzip2; gzip of 4 GiB or more; zstd without a content size) */
  uncompressedBytes: number | null;
  /** false when the size is a header's claim that the writer must confirm by counting (gzip mod 4 GiB, zstd first frame) */
  uncompressedExact: boolean;
  sizeSource: 'file' | 'xz-index' | 'gzip-trailer' | 'zstd-frame-header' | null;
}

const MAGIC: [ImageCompression, number[]][] = [
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['bzip2', [0x42, 0x5a, 0x68]],
];
export const DECOMPRESS: Record<Exclude<ImageCompression, 'none'>, string[]> = {
  xz: ['xz', '-dc'],
  gzip: ['gzip', '-dc'],
  zstd: ['zstd', '-dcq'],
  bzip2: ['bzip2', '-dc'],
};
/** enough of the image for MBR (510), GPT (512 or 4096) and the ISO 9660 volume descriptor (32769) */
const HEAD_BYTES = 36 * 1024;
const FOUR_GIB = 2 ** 32;

export function compressionOf(head: Buffer): ImageCompression {
  for (const [kind, magic] of MAGIC) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return kind;
  }
  return 'none';
}

export function contentOf(head: Buffer): ImageInfo['content'] {
  const iso9660 = head.length >= 32774 && head.toString('latin1', 32769, 32774) === 'CD001';
  const gpt = [512, 4096].some((off) => head.length >= off + 8 && head.toString('latin1', off, off + 8) === 'EFI PART');
  const mbr = head.length >= 512 && head[510] === 0x55 && head[511] === 0xaa;
  return { iso9660, partitionTable: gpt ? 'gpt' : mbr ? 'mbr' : null };
}

/** Content size of the first zstd frame (after any skippable frames), or null when the header omits it. */
export function zstdContentSize(buf: Buffer): number | null {
  let pos = 0;
  while (buf.length >= pos + 8 && (buf.readUInt32LE(pos) & 0xfffffff0) === 0x184d2a50) pos += 8 + buf.readUInt32LE(pos + 4);
  if (buf.length < pos + 6 || buf.readUInt32LE(pos) !== 0xfd2fb528) return null;
  const fhd = buf[pos + 4]!;
  const fcsFlag = fhd >> 6;
  const singleSegment = (fhd >> 5) & 1;
  const at = pos + 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][fhd & 3]!;
  const fcsBytes = fcsFlag === 0 ? singleSegment : [0, 2, 4, 8][fcsFlag]!;
  if (fcsBytes === 0 || buf.length < at + fcsBytes) return null;
  if (fcsBytes === 1) return buf[at]!;
  if (fcsBytes === 2) return buf.readUInt16LE(at) + 256;
  if (fcsBytes === 4) return buf.readUInt32LE(at);
  const big = buf.readBigUInt64LE(at);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : null;
}

function extensionOf(name: string): ImageInfo['extension'] {
  const inner = name.toLowerCase().replace(/\.(xz|gz|gzip|zst|zstd|bz2)$/, '');
  const m = /\.(img|iso|raw)$/.exec(inner);
  return m ? (m[1] as 'img' | 'iso' | 'raw') : null;
}

async function readRange(path: string, position: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The first bytes of the decompressed image (the decompressor is stopped once they have arrived). */
async function decompressedHead(path: string, compression: Exclude<ImageCompression, 'none'>): Promise<Buffer> {
  const [cmd, ...args] = DECOMPRESS[compression];
  const child = startTool(cmd!, [...args, path], { buffer: false, stdin: 'ignore', stderr: 'ignore', reject: false });
  const chunks: Buffer[] = [];
  let got = 0;
  try {
    for await (const chunk of child.stdout!) {
      chunks.push(chunk as Buffer);
      got += (chunk as Buffer).length;
      if (got >= HEAD_BYTES) break;
    }
  } finally {
    child.kill();
    await child;
  }
  return Buffer.concat(chunks).subarray(0, HEAD_BYTES);
}

async function xzUncompressedBytes(path: string): Promise<number | null> {
  const r = await runTool('xz', ['--list', '--robot', path]).catch(() => null);
  if (!r) return null;
  const line = r.stdout.split('\n').find((l) => l.startsWith('totals\t'));
  const n = Number(line?.split('\t')[4]);
  return Number.isSafeInteger(n) ? n : null;
}

/** Describes a disk image file; throws for a missing or empty file. */
export async function inspectImage(path: string): Promise<ImageInfo> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new Error(`image ${path}: no such file`);
  const wrong = wrongFileKind(`image ${path}`, st, ['file'], 'a disk image file');
  if (wrong) throw new Error(wrong);
  if (st.size === 0) throw new Error(`image ${path}: empty file`);
  const start = await readRange(path, 0, HEAD_BYTES);
  const compression = compressionOf(start);
  const info: ImageInfo = {
    path,
    name: basename(path),
    fileBytes: st.size,
    compression,
    extension: extensionOf(basename(path)),
    content: { iso9660: false, partitionTable: null },
    uncompressedBytes: null,
    uncompressedExact: false,
    sizeSource: null,
  };
  if (compression === 'none') {
    return { ...info, content: contentOf(start), uncompressedBytes: st.size, uncompressedExact: true, sizeSource: 'file' };
  }
  info.content = contentOf(await decompressedHead(path, compression));
  if (compression === 'xz') {
    const n = await xzUncompressedBytes(path);
    if (n !== null) Object.assign(info, { uncompressedBytes: n, uncompressedExact: true, sizeSource: 'xz-index' });
  } else if (compression === 'gzip' && st.size < FOUR_GIB && st.size >= 18) {
    // ISIZE is the size modulo 4 GiB; deflate never exceeds 1032:1, so small files cannot have wrapped
    const isize = (await readRange(path, st.size - 4, 4)).readUInt32LE(0);
    Object.assign(info, { uncompressedBytes: isize, uncompressedExact: st.size * 1032 < FOUR_GIB, sizeSource: 'gzip-trailer' });
  } else if (compression === 'zstd') {
    const n = zstdContentSize(start);
    if (n !== null) Object.assign(info, { uncompressedBytes: n, uncompressedExact: false, sizeSource: 'zstd-frame-header' });
  }
  return info;
}
