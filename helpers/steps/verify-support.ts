// Two helpers of the write-time verify: where a slot that read back wrong first differs from the image it was
// written from (so the failure names a byte, not only two hashes), and the test gate that holds verify back
// until a test has changed the stick between writing and verifying.
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';

const CHUNK = 4 * 1024 * 1024;

/** The first byte (relative to the range) where `length` bytes of `disk` from `offset` differ from `source`; null when none does. */
export async function firstDifferenceFrom(disk: string, offset: number, source: string, length: number, signal?: AbortSignal): Promise<number | null> {
  const [d, s] = [await open(disk, 'r'), await open(source, 'r')];
  try {
    const a = Buffer.allocUnsafe(CHUNK);
    const b = Buffer.allocUnsafe(CHUNK);
    for (let at = 0; at < length; at += CHUNK) {
      signal?.throwIfAborted();
      const want = Math.min(CHUNK, length - at);
      const [ra, rb] = [await d.read(a, 0, want, offset + at), await s.read(b, 0, want, at)];
      const n = Math.min(ra.bytesRead, rb.bytesRead);
      for (let i = 0; i < n; i++) if (a[i] !== b[i]) return at + i;
      if (n < want) return at + n;
    }
    return null;
  } finally {
    await d.close();
    await s.close();
  }
}

/**
 * Tests only: with IIOS_TEST_VERIFY_GATE set to a folder, verify waits (after its `verify` phase event) until a
 * file named after the target appears there, so a test can change the stick between writing and verifying.
 * It only delays: the elevated helper is started with a clean environment (pkexec), and whoever can set the
 * variable can change the target anyway.
 */
export async function waitForTestGate(targetId: string, signal: AbortSignal): Promise<void> {
  const dir = process.env.IIOS_TEST_VERIFY_GATE;
  if (!dir) return;
  const gate = join(dir, targetId);
  const until = Date.now() + 300_000;
  while (!existsSync(gate)) {
    signal.throwIfAborted();
    if (Date.now() > until) throw new Error(`the test gate ${gate} did not open`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
