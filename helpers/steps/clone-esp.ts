// The clone's ESP and slots. The ESP is made anew (fresh FAT serial) and filled with the source ESP's own files
// (systemd-boot, loader.conf, entries, kernels and initrds), the entries renamed back to `+3` (boot counting
// starts again); the stamp is written by the caller. Slots are copied as the bytes their hash tree covers (the
// stamp's rootfsBytes, the manifest's hash-tree size), read once from the source for every target.
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'node:fs/promises';
import { FailureError, type TargetCtx } from '../context.ts';
import { fanOut, type FanoutSink } from '../io/fanout.ts';
import type { ChunkReader } from '../io/reader.ts';
import { run } from '../tools/run.ts';
import { mkfsEsp } from './esp.ts';
import type { CloneSource, IiosSource } from './clone-source.ts';
import { STAMP_PATH } from './stamp.ts';

const env = { MTOOLS_SKIP_CHECK: '1', MTOOLS_NO_VFAT: '0' };

/**
 * A slot's entry: "iios-a+2-1.conf", "iios-a.conf" (blessed) → "iios-a+3.conf". Other entries (a classroom
 * stick's reset-to-factory ones) never count boots and keep their names.
 */
export function resetEntryName(name: string): string {
  const m = /^(iios-(?:a|b|system))(\+\d+(-\d+)?)?\.conf$/.exec(name);
  return m ? `${m[1]}+3.conf` : name;
}

/** Copies the source ESP's files into a private folder once for all targets; entries renamed, the stamp left out. */
export async function extractEsp(src: CloneSource, signal: AbortSignal): Promise<string> {
  const esp = src.partitions.find((p) => p.name === 'IIOS-ESP')!;
  const dir = await mkdtemp(join(tmpdir(), 'iios-clone-esp-'));
  await run('mcopy', ['-s', '-n', '-m', '-i', `${src.loop}@@${esp.startBytes}`, '::/*', `${dir}/`], { signal, env });
  await rm(join(dir, STAMP_PATH), { force: true });
  const entries = join(dir, 'loader', 'entries');
  for (const name of await readdir(entries).catch(() => [] as string[])) {
    const to = resetEntryName(name);
    if (to !== name) await rename(join(entries, name), join(entries, to));
  }
  return dir;
}

export async function cloneEsp(ctx: TargetCtx, espDir: string): Promise<void> {
  ctx.enter('esp');
  const vol = await mkfsEsp(ctx);
  await mkdir(join(espDir, 'iios'), { recursive: true });
  const top = await readdir(espDir);
  await run('mcopy', ['-s', '-o', '-m', '-i', `${vol.disk}@@${vol.offset}`, ...top.map((n) => join(espDir, n)), '::/'], { signal: ctx.signal, env });
}

/** Reads [offset, offset+length) of the source's read-only loop. */
async function rangeReader(path: string, offset: number, length: number): Promise<ChunkReader> {
  const fh = await open(path, 'r');
  let pos = 0;
  return {
    async read(into) {
      let filled = 0;
      const want = Math.min(into.length, length - pos);
      while (filled < want) {
        const { bytesRead } = await fh.read(into, filled, want - filled, offset + pos);
        if (bytesRead === 0) break;
        filled += bytesRead;
        pos += bytesRead;
      }
      return filled;
    },
    close: () => fh.close(),
  };
}

/** One range of the source onto one partition of every target; with `wantSha256`, returns the sha256 of what was read. */
export async function fanOutRange(targets: TargetCtx[], src: CloneSource, from: number, bytes: number, role: string, signal: AbortSignal, wantSha256 = false): Promise<string | null> {
  const sinks: FanoutSink[] = [];
  for (const t of targets.filter((x) => x.alive)) {
    const p = t.plan.partitions.find((x) => x.role === role);
    if (!p) continue;
    if (p.sizeBytes < bytes) {
      t.fail(new Error(`${p.name} is ${p.sizeBytes} bytes, too small for the source's ${bytes}`));
      continue;
    }
    sinks.push({ ctx: t, offsets: [p.startBytes], onProgress: (n) => t.progress(n, bytes, n >= bytes) });
  }
  if (!sinks.length) return null;
  const reader = await rangeReader(src.loop, from, bytes);
  try {
    return (await fanOut(reader, bytes, sinks, signal, { sha256: wantSha256, chunkDigests: false })).sha256;
  } finally {
    await reader.close();
  }
}

/** Both slots (and their hash trees) copied as the bytes they cover; checked against the stamp as read. */
export async function cloneSlots(targets: TargetCtx[], src: CloneSource, iios: IiosSource, signal: AbortSignal): Promise<void> {
  for (const slot of ['a', 'b']) {
    const stamp = iios.stamp.slots[slot];
    const root = src.partitions.find((p) => p.name === `iios-root-${slot}`);
    if (!stamp || !root) continue;
    for (const t of targets) if (t.alive) t.enter('slots');
    // The stamp names the slot's sha256: taken once, as the slot is read for every target.
    const sha = await fanOutRange(targets, src, root.startBytes, stamp.rootfsBytes, `root-${slot}`, signal, true);
    if (sha && sha !== stamp.rootfsSha256) {
      for (const t of targets) t.fail(new FailureError(`the source's slot ${slot} reads with sha256 ${sha}, its stamp says ${stamp.rootfsSha256}: repair the source first (iios repair)`, { key: 'source-slot-damaged', slot }));
      return;
    }
    const verity = src.partitions.find((p) => p.name === `iios-verity-${slot}`);
    const m = iios.manifests[slot];
    if (!verity || !m?.verity) continue;
    for (const t of targets) if (t.alive) t.enter('verity');
    await fanOutRange(targets, src, verity.startBytes, m.verity.sizeBytes, `verity-${slot}`, signal);
  }
}
