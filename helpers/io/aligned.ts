// Buffers for O_DIRECT: the kernel wants the memory address, the file offset and the length aligned to the
// device's logical block size. JavaScript cannot see a buffer's address, so we probe: an O_DIRECT read into
// a misaligned view fails with EINVAL, an aligned one succeeds. Large ArrayBuffers never move, so the view
// found once stays aligned.
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';

export const CHUNK_BYTES = 4 * 1024 * 1024;
export const DIRECT_ALIGN = 4096;

const WASM_PAGE = 64 * 1024;

/**
 * Zeroed memory, shared (a worker thread can hash it without a copy) or not. Page-aligned where we can get it:
 * the O_DIRECT probe below only proves alignment to the device's logical block (often 512 bytes), and a
 * 4 MiB O_DIRECT write from memory that is 512- but not page-aligned was measured 6-10x slower on ext4 image files
 * (60-120 MB/s against 650 MB/s). WebAssembly memory is mapped by whole pages, so its start is page-aligned;
 * a malloc'ed ArrayBuffer starts 16 bytes into its page.
 */
function memory(size: number, shared: boolean): Buffer {
  try {
    const pages = Math.ceil(size / WASM_PAGE);
    const mem = new WebAssembly.Memory({ initial: pages, maximum: pages, shared });
    return Buffer.from(mem.buffer, 0, size);
  } catch {
    return shared ? Buffer.from(new SharedArrayBuffer(size)) : Buffer.alloc(size);
  }
}

/** A plain buffer of `size` bytes (buffered I/O). */
export function plainBuffer(size = CHUNK_BYTES, shared = false): Buffer {
  return memory(size, shared);
}

/**
 * A `size`-byte view whose address suits O_DIRECT on `path`, or null when O_DIRECT does not work there
 * (then the caller uses buffered I/O and fdatasync).
 *
 * Block devices are probed with a read at 0. A regular file may have a hole there, and a hole is read
 * without any I/O, so without the alignment check: files are probed by writing 4 KiB of zeros at
 * `zeroWriteAt` instead (a place about to be written anyway, and zeros are what a fresh sparse file holds).
 */
export function directBuffer(path: string, size = CHUNK_BYTES, zeroWriteAt?: number, shared = false): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, (zeroWriteAt === undefined ? constants.O_RDONLY : constants.O_WRONLY) | constants.O_DIRECT);
  } catch {
    return null;
  }
  try {
    const backing = memory(size + DIRECT_ALIGN, shared);
    for (let off = 0; off < DIRECT_ALIGN; off += 8) {
      const view = backing.subarray(off, off + size);
      try {
        if (zeroWriteAt === undefined) readSync(fd, view, 0, DIRECT_ALIGN, 0);
        else writeSync(fd, view, 0, DIRECT_ALIGN, zeroWriteAt);
        return view;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') return null;
      }
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Rounds up to the O_DIRECT block (zero-filling the tail) so the last, short chunk can be written directly. */
export function padForDirect(buf: Buffer, length: number): number {
  const padded = Math.ceil(length / DIRECT_ALIGN) * DIRECT_ALIGN;
  if (padded > length) buf.fill(0, length, padded);
  return padded;
}
