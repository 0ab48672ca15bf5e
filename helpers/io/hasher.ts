// sha256 on a worker thread, so hashing (about 1.5 GB/s per core) overlaps the writes instead of pacing
// them. Chunks live in SharedArrayBuffers: nothing is copied, the worker hashes them in posting order.
// The worker's code is inline (plain JavaScript) so the packaged helper needs no extra file.
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

const WORKER_CODE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const h = createHash('sha256');
parentPort.on('message', (m) => {
  if (m.type === 'update') h.update(new Uint8Array(m.sab, m.offset, m.len));
  parentPort.postMessage({ id: m.id, hex: m.type === 'digest' ? h.digest('hex') : null });
});
`;

export interface ChunkHasher {
  update(buf: Buffer): Promise<void>;
  digest(): Promise<string>;
  close(): Promise<void>;
}

/** Hashes on the calling thread (buffers that are not shared, or no worker available). */
export function inlineHasher(): ChunkHasher {
  const h = createHash('sha256');
  return {
    update: async (buf) => void h.update(buf),
    digest: async () => h.digest('hex'),
    close: async () => undefined,
  };
}

/** Hashes on a worker thread; every buffer passed must be a view of a SharedArrayBuffer. */
export function threadHasher(): ChunkHasher {
  const worker = new Worker(WORKER_CODE, { eval: true });
  const waiting = new Map<number, { resolve: (hex: string | null) => void; reject: (e: Error) => void }>();
  let next = 0;
  let failure: Error | null = null;
  worker.on('message', (m: { id: number; hex: string | null }) => {
    waiting.get(m.id)?.resolve(m.hex);
    waiting.delete(m.id);
  });
  worker.on('error', (err) => {
    failure = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  });
  const send = (msg: Record<string, unknown>) =>
    new Promise<string | null>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ ...msg, id });
    });
  return {
    async update(buf) {
      if (!(buf.buffer instanceof SharedArrayBuffer)) throw new Error('threadHasher needs shared buffers');
      await send({ type: 'update', sab: buf.buffer, offset: buf.byteOffset, len: buf.length });
    },
    async digest() {
      return (await send({ type: 'digest' }))!;
    },
    async close() {
      await worker.terminate();
    },
  };
}
