// The per-chunk hash that write-time verify rests on: every CHUNK_BYTES chunk of a stream gets an
// xxHash3-128 digest as it is written and again as it is read back, and the two lists are compared chunk by
// chunk, so a mismatch names its offset. xxHash3 (WebAssembly, hash-wasm) costs about a quarter of sha256's CPU
// per byte; it guards against media and transfer faults, not against someone forging a stick. sha256 stays where
// a manifest or stamp names one (the bundle's files, a clone's slot), computed once per source.
// One hasher for every writer and reader (raw writes, clone raw copies, their read-backs), so the digests of
// both sides are always made the same way.
import type { IHasher } from 'hash-wasm';
// hash-wasm's one-algorithm build (20 KiB): its index carries every algorithm's WebAssembly (260 KiB), which a
// bundler cannot leave out, and which the helper would compile at every start.
import xxhash128 from 'hash-wasm/dist/xxhash128.umd.min.js';
import { CHUNK_BYTES } from './aligned.ts';

export const CHUNK_HASH_NAME = 'xxh128';

/** Digests of consecutive CHUNK_BYTES chunks of one stream (the last one may be short). */
export class ChunkDigests {
  readonly list: Buffer[] = [];
  bytes = 0;

  push(digest: Buffer, len: number): void {
    this.list.push(digest);
    this.bytes += len;
  }

  /** Index of the first chunk whose digest differs from `other`'s (or that only one side has); null when none. */
  firstMismatch(other: ChunkDigests, from = 0): number | null {
    const n = Math.max(this.list.length, other.list.length);
    for (let i = from; i < n; i++) {
      const a = this.list[i];
      const b = other.list[i];
      if (!a || !b || !a.equals(b)) return i;
    }
    return null;
  }
}

export interface ChunkHasher {
  /** The digest of one chunk (up to CHUNK_BYTES); `zero`: the caller knows it is all zeros (answered from a cache). */
  digest(buf: Buffer, zero?: boolean): Buffer;
}

/** An xxHash3-128 hasher from the one-algorithm build: every xxHash3 of the helper is made here. */
export function createXxh128(): Promise<IHasher> {
  return xxhash128.createXXHash128();
}

export async function chunkHasher(): Promise<ChunkHasher> {
  const h: IHasher = await createXxh128();
  const zeroDigests = new Map<number, Buffer>();
  const hash = (buf: Buffer) => {
    h.init();
    h.update(buf);
    return Buffer.from(h.digest('binary'));
  };
  return {
    digest(buf, zero = false) {
      if (buf.length > CHUNK_BYTES) throw new Error(`a chunk is at most ${CHUNK_BYTES} bytes, got ${buf.length}`);
      if (!zero) return hash(buf);
      let d = zeroDigests.get(buf.length);
      if (!d) zeroDigests.set(buf.length, (d = hash(buf)));
      return d;
    },
  };
}
