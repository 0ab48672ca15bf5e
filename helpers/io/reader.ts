// Sources the fan-out reads from: a file (a bundle's root image, a plain disk image) or the stdout of a
// decompressor (xz, gzip, zstd, bzip2 — the system tools). Both fill a caller's buffer completely unless at EOF.
import { open, type FileHandle } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface ChunkReader {
  /** Fills `into` as far as possible; returns the bytes read (short only at the end). */
  read(into: Buffer): Promise<number>;
  close(): Promise<void>;
  /**
   * A second, independent reader of the same bytes from stream position `pos` (a target that fell behind reads
   * the source on its own, see catch-up.ts); absent where the stream cannot be read twice (a decompressor's output).
   */
  reopen?(pos: number): Promise<ChunkReader>;
}

export async function fileReader(path: string, limit?: number, start = 0): Promise<ChunkReader> {
  const fh: FileHandle = await open(path, 'r');
  let pos = start;
  return {
    reopen: (at) => fileReader(path, limit, at),
    async read(into) {
      let filled = 0;
      const want = limit === undefined ? into.length : Math.min(into.length, limit - pos);
      while (filled < want) {
        const { bytesRead } = await fh.read(into, filled, want - filled, pos);
        if (bytesRead === 0) break;
        filled += bytesRead;
        pos += bytesRead;
      }
      return filled;
    },
    close: () => fh.close(),
  };
}

export type Compression = 'xz' | 'gz' | 'zst' | 'bz2' | null;

const DECOMPRESSORS: Record<Exclude<Compression, null>, [string, string[]]> = {
  xz: ['xz', ['-dc', '-T0']],
  gz: ['gzip', ['-dc']],
  zst: ['zstd', ['-dcq']],
  bz2: ['bzip2', ['-dc']],
};

/** Compression by magic bytes (the name may lie or be missing). */
export async function detectCompression(path: string): Promise<Compression> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(6);
    await fh.read(head, 0, 6, 0);
    if (head.equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
    if (head[0] === 0x1f && head[1] === 0x8b) return 'gz';
    if (head.readUInt32LE(0) === 0xfd2fb528) return 'zst';
    if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bz2';
    return null;
  } finally {
    await fh.close();
  }
}

/**
 * Reads the decompressed bytes of `path` through the system tool (argument array, no shell); fails if the
 * tool fails. Plain child_process here: the bytes are consumed as a stream, nothing is buffered.
 */
export function decompressReader(path: string, compression: Exclude<Compression, null>, signal?: AbortSignal): ChunkReader {
  const [tool, args] = DECOMPRESSORS[compression];
  // The compressed file on the tool's stdin, opened here: the helper names held-open sources by their
  // /proc/<pid>/fd link, which zstd would skip as a symbolic link if it were given as an argument.
  const input = openSync(path, 'r');
  const child = (() => {
    try {
      return spawn(tool, args, { stdio: [input, 'pipe', 'pipe'], signal });
    } finally {
      closeSync(input);
    }
  })();
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  child.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const it = child.stdout![Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let leftover: Buffer | null = null;
  let ended = false;
  return {
    async read(into) {
      let filled = 0;
      while (filled < into.length) {
        if (!leftover || leftover.length === 0) {
          if (ended) break;
          const next = await it.next();
          if (next.done) {
            ended = true;
            const code = await exited;
            if (code !== 0) throw new Error(`${tool} could not decompress ${path}: ${stderr.trim() || `exit ${code}`}`);
            break;
          }
          leftover = next.value;
        }
        const n = leftover.copy(into, filled);
        filled += n;
        leftover = leftover.subarray(n);
      }
      return filled;
    },
    async close() {
      if (!ended) child.kill();
      await exited;
    },
  };
}
