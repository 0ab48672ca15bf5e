// Slots: the root image streamed once from the bundle to every target's root-a and root-b partitions, then
// the verity hash tree to every verity-a and verity-b partition (same fan-out). The sha256 taken while
// writing must match the manifest, or every target of this job is failed (the source changed under us).
import type { TargetCtx } from '../context.ts';
import { fanOut, type FanoutSink } from '../io/fanout.ts';
import { fileReader } from '../io/reader.ts';
import type { BundleSource } from '../source.ts';

type Roles = ['root-a', 'root-b'] | ['verity-a', 'verity-b'];

/** `name`: the file's name in the bundle (the path is the helper's held-open handle, see source.ts). */
async function streamFile(targets: TargetCtx[], name: string, path: string, bytes: number, wantSha: string, roles: Roles, signal: AbortSignal): Promise<void> {
  const sinks: FanoutSink[] = [];
  for (const t of targets) {
    if (!t.alive) continue;
    const parts = roles.map((r) => t.part(r)).filter((p) => !!p);
    if (parts.length === 0) continue;
    for (const p of parts) {
      if (p.sizeBytes < bytes) {
        t.fail(new Error(`${p.name} is ${p.sizeBytes} bytes, too small for ${bytes} bytes`));
      }
    }
    const total = bytes * parts.length;
    t.progress(0, total, true);
    sinks.push({ ctx: t, offsets: parts.map((p) => p.startBytes), onProgress: (n) => t.progress(n, total, n >= total) });
  }
  if (sinks.every((s) => !s.ctx.alive)) return;
  const reader = await fileReader(path, bytes);
  try {
    const got = await fanOut(reader, bytes, sinks, signal, { sha256: true, chunkDigests: false });
    sinks[0]!.ctx.emit({ kind: 'log', level: 'info', message: `${name}: read once (${got.bytes} bytes) for ${sinks.length} target(s)` });
    if (got.sha256 !== wantSha) {
      const err = new Error(`the bundle file ${name} changed while it was written (sha256 ${got.sha256}, expected ${wantSha})`);
      for (const s of sinks) s.ctx.fail(err);
    }
  } finally {
    await reader.close();
  }
}

export async function writeSlots(targets: TargetCtx[], bundle: BundleSource, signal: AbortSignal): Promise<void> {
  const m = bundle.manifest;
  const withSlots = targets.filter((t) => t.alive && t.part('root-a'));
  if (withSlots.length === 0) return;
  for (const t of withSlots) t.enter('slots');
  await streamFile(withSlots, m.rootfs.file, bundle.files[m.rootfs.file]!, m.rootfs.sizeBytes, m.files[m.rootfs.file]!.sha256, ['root-a', 'root-b'], signal);
  if (!m.verity) return;
  const withVerity = withSlots.filter((t) => t.alive && t.part('verity-a'));
  for (const t of withVerity) t.enter('verity');
  await streamFile(withVerity, m.verity.hashFile, bundle.files[m.verity.hashFile]!, m.verity.sizeBytes, m.files[m.verity.hashFile]!.sha256, ['verity-a', 'verity-b'], signal);
}
