// Chunk digests on worker threads are the very digests the calling thread takes (the read-back compares one with
// the other), for shared buffers read in place, plain buffers (hashed on the calling thread), short last chunks
// and zero chunks; and the workers really start in a checkout (else every chunk would quietly fall back).
import { randomBytes } from 'node:crypto';
import { xxhash128 } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES } from '../../helpers/io/aligned.ts';
import { workerChunkHasher } from '../../helpers/io/hash-workers.ts';

const shared = (data: Buffer) => {
  const b = Buffer.from(new SharedArrayBuffer(data.length + 64), 32, data.length);
  data.copy(b);
  return b;
};

describe('workerChunkHasher', () => {
  it('gives the xxh128 of each chunk, in any order of completion, from workers', async () => {
    const h = await workerChunkHasher(2);
    try {
      expect(h.workers).toBe(2);
      const chunks = [randomBytes(CHUNK_BYTES), randomBytes(CHUNK_BYTES), randomBytes(12345), Buffer.alloc(CHUNK_BYTES)];
      const got = await Promise.all(chunks.map((c, i) => h.digest(i === 1 ? c : shared(c), i === 3)));
      const want = await Promise.all(chunks.map((c) => xxhash128(c)));
      expect(got.map((d) => d.toString('hex'))).toEqual(want);
    } finally {
      await h.close();
    }
  });
});
