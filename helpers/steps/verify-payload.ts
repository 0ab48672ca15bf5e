// The kiosk payload read back against its manifest (the stamp's `payload`: path, sha256, size of each file), at
// the end of a write and of a clone: every file on the payload partition read again and hashed, through a
// read-only loop mounted `ro` (ext4) or through mtools (FAT). A file that is missing, or whose bytes or size
// differ, fails verify with its path named.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { PlannedPartition } from '../../src-shared/layout/index.ts';
import type { FileProblem } from '../../src-shared/verify/check-said.ts';
import { checkThrew, type CheckOutcome } from '../../src-shared/verify/stick-checks.ts';
import type { TargetCtx } from '../context.ts';
import { withLoop } from '../tools/losetup.ts';
import { withMount } from '../tools/mount.ts';
import { fatRead } from '../tools/mtools.ts';
import { ToolError } from '../tools/run.ts';

export interface PayloadExpect {
  path: string;
  sha256: string;
  sizeBytes: number;
}

export interface PayloadReadBack {
  sha256: string;
  sizeBytes: number;
}

async function hashFile(path: string, signal: AbortSignal): Promise<PayloadReadBack | null> {
  const h = createHash('sha256');
  let sizeBytes = 0;
  try {
    for await (const chunk of createReadStream(path, { signal }) as AsyncIterable<Buffer>) {
      h.update(chunk);
      sizeBytes += chunk.length;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return { sha256: h.digest('hex'), sizeBytes };
}

/** Each named file of the payload partition as it reads back now (null: not there). */
export async function readPayload(ctx: TargetCtx, part: PlannedPartition, paths: readonly string[]): Promise<Map<string, PayloadReadBack | null>> {
  const out = new Map<string, PayloadReadBack | null>();
  const signal = ctx.signal;
  if (part.filesystem === 'vfat') {
    for (const p of paths) {
      try {
        const b = await fatRead({ disk: ctx.disk, offset: part.startBytes }, p, { signal });
        out.set(p, { sha256: createHash('sha256').update(b).digest('hex'), sizeBytes: b.length });
      } catch (err) {
        if (err instanceof ToolError && !err.cancelled && /not found/i.test(err.stderr)) out.set(p, null);
        else throw err;
      }
    }
    return out;
  }
  await withLoop(
    ctx.disk,
    part.startBytes,
    part.sizeBytes,
    (dev) =>
      withMount(
        dev,
        async (mnt) => {
          for (const p of paths) out.set(p, await hashFile(join(mnt, p), signal));
        },
        ['ro'],
        { signal },
      ),
    { readOnly: true, signal },
  );
  return out;
}

/** The verdict on the payload, worded and typed like the shared stick checks. */
export function judgePayload(want: readonly PayloadExpect[], got: Map<string, PayloadReadBack | null>): CheckOutcome {
  const bad: FileProblem[] = [];
  for (const w of want) {
    const g = got.get(w.path) ?? null;
    if (!g || g.sha256 !== w.sha256 || g.sizeBytes !== w.sizeBytes) bad.push({ path: w.path, got: g, want: { sha256: w.sha256, sizeBytes: w.sizeBytes } });
  }
  const english = bad.map((p) =>
    p.got === null
      ? `payload file ${p.path} is missing`
      : `payload file ${p.path} reads back with sha256 ${p.got.sha256} (${p.got.sizeBytes} bytes), expected ${p.want.sha256} (${p.want.sizeBytes} bytes)`,
  );
  const [first, ...more] = bad;
  return {
    ...PAYLOAD,
    ok: bad.length === 0,
    said: first ? { key: 'payload-differs', problems: [first, ...more] } : { key: 'payload-match', files: want.length },
    detail: english.length ? english.join('; ') : `${want.length} payload files match`,
  };
}

const PAYLOAD = { id: { check: 'payload' }, name: 'payload' } as const;

/** Reads the payload back against its manifest; a read that fails is a failed check, named. */
export async function verifyPayload(ctx: TargetCtx, want: readonly PayloadExpect[]): Promise<CheckOutcome> {
  const part = ctx.part('payload');
  if (!part) {
    return want.length
      ? { ...PAYLOAD, ok: false, said: { key: 'no-payload-partition' }, detail: 'payload: the plan has no payload partition for the payload to verify' }
      : { ...PAYLOAD, ok: true, said: { key: 'no-payload' }, detail: 'no payload' };
  }
  try {
    return judgePayload(want, await readPayload(ctx, part, want.map((w) => w.path)));
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    return checkThrew(PAYLOAD.id, PAYLOAD.name, err);
  }
}
