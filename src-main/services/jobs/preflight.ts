// The helper's refusals, applied by the app before anything asks for a password: the same shared rules
// (src-shared/drives: busy, capacity, image-file-target, safety's mounted rule; the layout planner), on the
// facts the app can read without privileges (lsblk, /sys, statfs, lstat). The helper checks everything again
// with its own facts; this only spares the user a password typed for a job that is then refused.
import { runTool } from '../run-tool.ts';
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import { busyVerdict, loopFromSys, type LoopOver } from '../../../src-shared/drives/busy.ts';
import { imageFileRoomProblem, payloadShortfall } from '../../../src-shared/drives/capacity.ts';
import { existingImageFileRule, imageFilePathRule, type ExistingImageFile } from '../../../src-shared/drives/image-file-target.ts';
import { checkImageFolder } from '../drives/image-folder.ts';
import { parseLsblk, type LsblkDevice } from '../../../src-shared/drives/inventory.ts';
import { allMountpoints } from '../../../src-shared/drives/safety.ts';
import type { WriteJob } from '../../../src-shared/job/write-job.ts';
import { planLayout, PlanError, TooSmallError, type PlanSource } from '../../../src-shared/layout/index.ts';
import { preflightWords } from '../../../src-shared/errors/preflight-words.ts';
import type { PreflightProblem } from '../../../src-shared/job/preflight-problem.ts';

const read = (p: string) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};
const list = (p: string) => {
  try {
    return readdirSync(p);
  } catch {
    return [];
  }
};

function loops(): LoopOver[] {
  return list('/sys/block')
    .filter((n) => /^loop\d+$/.test(n))
    .flatMap((n) => loopFromSys(`/dev/${n}`, { backing_file: read(`/sys/block/${n}/loop/backing_file`), offset: read(`/sys/block/${n}/loop/offset`), sizelimit: read(`/sys/block/${n}/loop/sizelimit`) }) ?? []);
}

function holders(disk: string): string[] {
  const name = basename(disk);
  const parts = list(`/sys/block/${name}`).filter((e) => e.startsWith(name));
  return [...list(`/sys/block/${name}/holders`), ...parts.flatMap((p) => list(`/sys/block/${name}/${p}/holders`))];
}

async function existing(path: string): Promise<ExistingImageFile> {
  const st = await lstat(path).catch(() => null);
  if (!st) return { kind: 'absent', sizeBytes: 0, head: new Uint8Array() };
  if (st.isSymbolicLink()) return { kind: 'symlink', sizeBytes: 0, head: new Uint8Array() };
  if (!st.isFile()) return { kind: 'other', sizeBytes: 0, head: new Uint8Array() };
  const fh = await open(path, 'r').catch(() => null);
  const head = Buffer.alloc(1024);
  const n = fh ? (await fh.read(head, 0, 1024, 0)).bytesRead : 0;
  await fh?.close();
  return { kind: 'file', sizeBytes: st.size, head: head.subarray(0, n) };
}

/** Problems per target id, in the current language (empty map: nothing the app can see stands in the way). */
export async function preflight(job: WriteJob): Promise<Map<string, string[]>> {
  return new Map([...(await preflightProblems(job))].map(([id, ps]) => [id, ps.map(preflightWords)]));
}

/** Problems per target id, typed, so that a reader says them in its own language (empty map: none). */
export async function preflightProblems(job: WriteJob): Promise<Map<string, PreflightProblem[]>> {
  const out = new Map<string, PreflightProblem[]>();
  const add = (id: string, p: PreflightProblem | string) => out.set(id, [...(out.get(id) ?? []), typeof p === 'string' ? { kind: 'text', text: p } : p]);
  const devices: LsblkDevice[] = parseLsblk((await runTool('lsblk', ['--json', '-b', '-O', '--paths']).catch(() => ({ stdout: '' }))).stdout || '{"blockdevices":[]}');
  const bound = loops();
  let planSource: PlanSource | null = job.manifest ?? null;
  if (job.bundleDir && job.manifest) {
    const dir = await realpath(job.bundleDir).catch(() => job.bundleDir!);
    for (const name of Object.keys(job.manifest.files)) {
      const real = await realpath(join(dir, name)).catch(() => null);
      if (real && !real.startsWith(dir + sep)) for (const t of job.targets) add(t.id, { kind: 'bundle-outside', file: name });
    }
  }
  if (job.imagePath) {
    const st = await stat(job.imagePath).catch(() => null);
    planSource = st?.isFile() && !/\.(xz|gz|zst|bz2)$/i.test(job.imagePath) ? { imageBytes: st.size } : null;
  }
  const seen = new Map<string, string>();
  for (const t of job.targets) {
    const real = t.kind === 'device' ? await realpath(t.path).catch(() => t.path) : join(await realpath(dirname(t.path)).catch(() => dirname(t.path)), basename(t.path));
    if (seen.has(real)) add(t.id, { kind: t.kind === 'device' ? 'same-disk' : 'same-file', path: t.path, other: seen.get(real)! });
    seen.set(real, t.id);
    let size = t.sizeBytes;
    if (t.kind === 'device') {
      const dev = devices.find((d) => d.name === real);
      if (dev) size = dev.size;
      const mounts = dev ? allMountpoints(dev) : [];
      if (mounts.length && !job.unmountIfMounted) add(t.id, { kind: 'mounted', path: t.path, mounts });
      for (const p of busyVerdict(real, { loops: bound, holders: holders(real), devices }, { unmountIfMounted: job.unmountIfMounted }).problems) add(t.id, { kind: 'busy', problem: p.said });
    } else {
      const named = imageFilePathRule(real) ?? (real === t.path ? null : imageFilePathRule(t.path));
      if (named) add(t.id, { kind: 'image-path', problem: named });
      const folder = await stat(dirname(real)).catch(() => null);
      // The targets step's own check (a folder made since this stat: the helper checks again anyway).
      if (!folder?.isDirectory()) add(t.id, { kind: 'image-folder', problem: (await checkImageFolder({ path: t.path, sizeBytes: t.sizeBytes })).said ?? { reason: 'not-folder', folder: dirname(t.path) } });
      const there = existingImageFileRule(real, await existing(real));
      if (there) add(t.id, { kind: 'image-path', problem: there });
      for (const l of bound) if (l.backing === real) add(t.id, { kind: 'backing-file', path: real, dev: l.dev });
      if (folder?.isDirectory()) {
        const fs = statfsSync(dirname(real));
        const old = await lstat(real).catch(() => null);
        const least = job.manifest ? job.manifest.rootfs.sizeBytes : ((planSource as { imageBytes?: number } | null)?.imageBytes ?? 0);
        const room = { freeBytes: fs.bavail * fs.bsize, reclaimableBytes: old?.isFile() ? old.blocks * 512 : 0 };
        if (imageFileRoomProblem(real, room, least)) add(t.id, { kind: 'image-room', path: real, haveBytes: room.freeBytes + room.reclaimableBytes, writeBytes: least });
      }
    }
    if (!planSource) continue;
    try {
      const plan = planLayout(job.profile, planSource, size, { persistence: job.persistence });
      const part = plan.partitions.find((p) => p.role === 'payload');
      if (part && job.payload.length) {
        const sizes = await Promise.all(job.payload.map(async (p) => (await stat(p.sourcePath).catch(() => null))?.size ?? 0));
        const short = payloadShortfall(part.sizeBytes, part.filesystem, sizes);
        if (short) add(t.id, { kind: 'payload-room', path: t.path, ...short });
      }
    } catch (err) {
      if (err instanceof TooSmallError) add(t.id, { kind: 'too-small', path: t.path, profile: job.profile.id, sizeBytes: size, neededBytes: err.neededBytes });
      else if (err instanceof PlanError && err.problem) add(t.id, { kind: 'plan', path: t.path, problem: err.problem });
      else add(t.id, `${t.path}: ${(err as Error).message}`);
    }
  }
  return out;
}
