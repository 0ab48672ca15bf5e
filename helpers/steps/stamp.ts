// The stamp /iios/stick.json on the ESP (design.md, "On-stick format"): written with complete:false right after the ESP
// is made, rewritten with complete:true as the very last step. Pretty JSON with "hostname" on its own line.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceGone, type TargetCtx } from '../context.ts';
import { fatCopyIn, fatRead } from '../tools/mtools.ts';

export const STAMP_PATH = '/iios/stick.json';
export const TOOL = { name: 'iios', version: '0.1.0' };

export interface SlotStamp {
  bundle: string;
  version: string;
  rootHash: string | null;
  rootfsSha256: string;
  rootfsBytes: number;
}

export interface StampInit {
  profile: string;
  hostname: string;
  diskBytes: number;
  sectorSize: number;
  slots: Record<string, SlotStamp>;
  payload: { path: string; sha256: string; sizeBytes: number }[];
  caches: { kind: string; files: number; sizeBytes: number; manifestSha256: string }[];
  espFiles: Record<string, string>;
  /** A/B layouts planned for caches: the room kept for them before the slots grew, so a repair re-plans the same */
  cacheRoomBytes?: number;
}

export function stampObject(init: StampInit, complete: boolean, createdAt: string): Record<string, unknown> {
  // Key order matters to readers with simple patterns: format, complete, hostname first.
  return {
    format: 1,
    complete,
    hostname: init.hostname,
    profile: init.profile,
    tool: TOOL,
    createdAt,
    diskBytes: init.diskBytes,
    sectorSize: init.sectorSize,
    slots: init.slots,
    caches: init.caches,
    payload: init.payload,
    espFiles: init.espFiles,
    ...(init.cacheRoomBytes ? { cacheRoomBytes: init.cacheRoomBytes } : {}),
  };
}

export function stampText(stamp: Record<string, unknown>): string {
  return `${JSON.stringify(stamp, null, 2)}\n`;
}

/** Writes the stamp onto the target's ESP (overwriting). */
export async function writeStamp(ctx: TargetCtx, stamp: Record<string, unknown>, signal: AbortSignal = ctx.signal): Promise<void> {
  const esp = ctx.mustPart('esp');
  const dir = await mkdtemp(join(tmpdir(), 'iios-stamp-'));
  try {
    const file = join(dir, 'stick.json');
    await writeFile(file, stampText(stamp));
    await fatCopyIn({ disk: ctx.disk, offset: esp.startBytes }, file, STAMP_PATH, { signal });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The last step of a write or a clone: complete:true, read back. From the moment it starts, a failure of the
 * target takes the stamp back (takeBackStamps): a loop detached under the helper still takes the write into its
 * file, and a failed target must never read complete. Once it reads back complete on a device still there, the
 * stick is finished: a cancel or a pull after that does not undo it (TargetCtx.fail, finishTargets).
 */
export async function writeCompleteStamp(t: TargetCtx, complete: Record<string, unknown>): Promise<void> {
  // The same stamp but for its flag (the spread keeps `complete` in its place among the keys).
  t.incompleteStamp = { ...complete, complete: false };
  t.enter('stamp');
  await writeStamp(t, complete);
  const back = JSON.parse((await fatRead({ disk: t.disk, offset: t.mustPart('esp').startBytes }, STAMP_PATH, { signal: t.signal })).toString()) as { complete?: unknown };
  if (back.complete !== true) throw new Error('the stamp did not read back as complete');
  if (!t.alive || deviceGone(t)) throw new Error('device gone');
  t.stampedComplete = true;
}

/** At a job's end, while its targets are still held: a target that failed during its complete stamp reads incomplete again. */
export async function takeBackStamps(targets: readonly TargetCtx[]): Promise<void> {
  for (const t of targets) {
    if (!t.failure || !t.incompleteStamp || t.stampedComplete) continue;
    // The target's own signal is aborted by its failure: this write gets a deadline of its own.
    await writeStamp(t, t.incompleteStamp, AbortSignal.timeout(30_000)).then(
      () => t.log('info', 'its stamp says incomplete again: the target failed while complete:true was written'),
      (err: unknown) => t.log('warn', `could not take back its stamp: ${(err as Error).message}`),
    );
  }
}
