// Chunk digests (the same xxHash3-128 as chunk-hash.ts) taken on worker threads, one chunk per worker in turn,
// so hashing overlaps the reads and writes and uses both cores of a small machine instead of pacing the
// stream from the main thread (about 0.4-0.9 s of CPU per GiB, most of a loop device's write time). Chunks
// are views of SharedArrayBuffers (the fan-out's pool, the read-back's buffers): the worker reads them in
// place, nothing is posted but their place. The workers run hash-wasm's own single-algorithm build
// (xxhash128.umd.min.js), read from the installed package, so the helper bundle needs no second file; where
// that file or a worker is not available, or a buffer is not shared, the chunk is hashed on the calling thread.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { chunkHasher, type ChunkHasher } from './chunk-hash.ts';

/** Workers to start: one per core of the machines iios is measured on (2); more would only queue. */
export const HASH_WORKERS = 2;

const WORKER_LOOP = `
const { parentPort } = require('node:worker_threads');
const ready = module.exports.createXXHash128();
parentPort.on('message', async (m) => {
  try {
    const h = await ready;
    h.init();
    h.update(new Uint8Array(m.sab, m.offset, m.len));
    parentPort.postMessage({ id: m.id, digest: h.digest('binary') });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String(err && err.message || err) });
  }
});
`;

let workerSource: string | null | undefined;

/** The worker's code: hash-wasm's xxhash128 build wrapped as a CommonJS module, then the message loop. */
function source(): string | null {
  if (workerSource !== undefined) return workerSource;
  try {
    const path = createRequire(import.meta.url).resolve('hash-wasm/dist/xxhash128.umd.min.js');
    workerSource = `const module = { exports: {} }; (function (module, exports) {\n${readFileSync(path, 'utf8')}\n})(module, module.exports);\n${WORKER_LOOP}`;
  } catch {
    workerSource = null;
  }
  return workerSource;
}

export interface AsyncChunkHasher {
  /** The digest of one chunk; the chunk's bytes must not change until it resolves. `zero`: known all zeros. */
  digest(buf: Buffer, zero?: boolean): Promise<Buffer>;
  close(): Promise<void>;
  /** Worker threads started (0: every chunk is hashed on the calling thread). */
  readonly workers: number;
}

interface Waiting {
  resolve: (d: Buffer) => void;
  reject: (e: Error) => void;
}

/** Hashes chunks on HASH_WORKERS worker threads (falling back to the calling thread, see the top). */
export async function workerChunkHasher(workers = HASH_WORKERS): Promise<AsyncChunkHasher> {
  const inline: ChunkHasher = await chunkHasher();
  const code = source();
  const pool: { worker: Worker; waiting: Map<number, Waiting>; failed: Error | null }[] = [];
  for (let i = 0; code && i < workers; i++) {
    try {
      const w = { worker: new Worker(code, { eval: true }), waiting: new Map<number, Waiting>(), failed: null as Error | null };
      w.worker.unref();
      w.worker.on('message', (m: { id: number; digest?: Uint8Array; error?: string }) => {
        const p = w.waiting.get(m.id);
        w.waiting.delete(m.id);
        if (m.digest) p?.resolve(Buffer.from(m.digest.buffer, m.digest.byteOffset, m.digest.length));
        else p?.reject(new Error(`chunk hash worker: ${m.error}`));
      });
      w.worker.on('error', (err) => {
        w.failed = err;
        for (const p of w.waiting.values()) p.reject(err);
        w.waiting.clear();
      });
      pool.push(w);
    } catch {
      break;
    }
  }
  let next = 0;
  let turn = 0;
  return {
    workers: pool.length,
    async digest(buf, zero = false) {
      const w = pool[turn++ % Math.max(pool.length, 1)];
      if (zero || !w || w.failed || !(buf.buffer instanceof SharedArrayBuffer)) return inline.digest(buf, zero);
      const id = next++;
      return new Promise<Buffer>((resolve, reject) => {
        w.waiting.set(id, { resolve, reject });
        w.worker.postMessage({ id, sab: buf.buffer, offset: buf.byteOffset, len: buf.length });
      });
    },
    async close() {
      await Promise.all(pool.map((w) => w.worker.terminate()));
    },
  };
}
