// A fixed set of chunk buffers shared by the reader, the hasher and every target's write queue. A chunk goes
// back to the pool once everyone that needs it is done with it; the reader waits for a free one. The pool's
// size is how far the fastest target may run ahead of the slowest (bursty sticks pause without stalling all).

export interface Chunk {
  index: number;
  buf: Buffer;
  len: number;
  /** Byte position of the chunk in the stream. */
  pos: number;
  zero: boolean;
  /** Users still holding it (targets that have not written it yet, the hasher). */
  pending: number;
}

export class ChunkPool {
  private readonly free: number[];
  private waiters: (() => void)[] = [];

  constructor(readonly bufs: Buffer[]) {
    this.free = bufs.map((_, i) => i).reverse();
  }

  get freeCount(): number {
    return this.free.length;
  }

  /** Resolves when a buffer is given back (or at once if one is free). */
  async someFree(): Promise<void> {
    if (this.free.length === 0) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** The index of a free buffer, waiting for one when all are in use. */
  async take(): Promise<number> {
    while (this.free.length === 0) await new Promise<void>((r) => this.waiters.push(r));
    return this.free.pop()!;
  }

  release(index: number): void {
    this.free.push(index);
    this.wake();
  }

  /** One user of the chunk is done; the last one returns its buffer. */
  done(chunk: Chunk): void {
    if (--chunk.pending === 0) this.release(chunk.index);
  }

  /** Resolves when every buffer is back (every write finished, failed or was given up). */
  async drained(): Promise<void> {
    while (this.free.length < this.bufs.length) await new Promise<void>((r) => this.waiters.push(r));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
