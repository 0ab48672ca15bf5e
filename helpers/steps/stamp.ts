// The stamp /iios/stick.json on the ESP (design.md, "On-stick format"): written with complete:false right after the ESP
// is made, rewritten with complete:true as the very last step. Pretty JSON with "hostname" on its own line.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetCtx } from '../context.ts';
import { fatCopyIn } from '../tools/mtools.ts';

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
  };
}

export function stampText(stamp: Record<string, unknown>): string {
  return `${JSON.stringify(stamp, null, 2)}\n`;
}

/** Writes the stamp onto the target's ESP (overwriting). */
export async function writeStamp(ctx: TargetCtx, stamp: Record<string, unknown>): Promise<void> {
  const esp = ctx.mustPart('esp');
  const dir = await mkdtemp(join(tmpdir(), 'iios-stamp-'));
  try {
    const file = join(dir, 'stick.json');
    await writeFile(file, stampText(stamp));
    await fatCopyIn({ disk: ctx.disk, offset: esp.startBytes }, file, STAMP_PATH, { signal: ctx.signal });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
