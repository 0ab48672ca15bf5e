// The real helper (child process) writing image files, then read back with independent tools: two sticks of one
// job get their own disk and partition GUIDs (sgdisk -p / -i), the Btrfs and caches phases report bytes from 0
// to their totals, and the helper's own verify re-hashes the caches — called directly on a written image, it
// passes, then fails once a cache file on the stick is changed (same size, other bytes) or removed.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetCtx } from '../../helpers/context.ts';
import { verifyTarget, type VerifyExpect } from '../../helpers/steps/verify.ts';
import type { JobEvent } from '../../src-shared/job/events.ts';
import { planLayout } from '../../src-shared/layout/index.ts';
import { validateBundleManifest } from '../../src-shared/profile/index.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { espFile, partByName, readGpt, withMountedPart } from '../support/helper-checks.ts';
import { runHelper, type HelperRun } from '../support/run-helper.ts';

const MiB = 1024 * 1024;
const profile = (id: string) => parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles', `${id}.yaml`), 'utf8'), `${id}.yaml`, id);

let bundle: TestBundle;
let work: string;
let aptCache: string;
beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 6 * MiB, name: 'iios-readback', version: '1.0' });
  work = await mkdtemp(join(tmpdir(), 'iios-readback-'));
  aptCache = join(work, 'apt');
  await mkdir(join(aptCache, 'archives'), { recursive: true });
  await writeFile(join(aptCache, 'archives/hello_1.0_amd64.deb'), 'not really a deb\n');
  await writeFile(join(aptCache, 'pkgcache.bin'), Buffer.alloc(3 * MiB, 7));
});
afterAll(async () => {
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The progress events of one target, by the phase they were reported in. */
function progressByPhase(r: HelperRun, id: string): Map<string, { done: number; total: number }[]> {
  const out = new Map<string, { done: number; total: number }[]>();
  let phase = '';
  for (const e of r.events as JobEvent[]) {
    if (e.kind === 'phase' && e.targetId === id) phase = e.phase;
    if (e.kind === 'progress' && e.targetId === id) out.set(phase, [...(out.get(phase) ?? []), { done: e.bytesDone, total: e.bytesTotal }]);
  }
  return out;
}

async function guidsOf(disk: string): Promise<string[]> {
  const list = (await execa('sgdisk', ['-p', disk])).stdout;
  const guids = [/^Disk identifier \(GUID\): (\S+)/m.exec(list)![1]!.toLowerCase()];
  for (const m of list.matchAll(/^\s+(\d+)\s+\d+\s+\d+\s/gm)) {
    guids.push(/^Partition unique GUID: (\S+)/m.exec((await execa('sgdisk', ['-i', m[1]!, disk])).stdout)![1]!.toLowerCase());
  }
  return guids;
}

describe('helper read-back', () => {
  it('two sticks of one job: distinct disk and partition GUIDs, each as the helper read it back', async () => {
    const size = 640 * MiB;
    const paths = [join(work, 'k1.img'), join(work, 'k2.img')];
    try {
      const r = await runHelper({
        jobId: 'two-kiosks', profile: profile('kiosk'), bundleDir: bundle.dir, manifest: bundle.manifest,
        targets: paths.map((path, i) => ({ id: `t${i + 1}`, kind: 'image-file', path, sizeBytes: size, hostname: `kiosk-0${i + 1}` })),
      });
      expect(r.results, r.stderr).toEqual([{ targetId: 't1', ok: true, verified: true }, { targetId: 't2', ok: true, verified: true }]);
      const [a, b] = [await guidsOf(paths[0]!), await guidsOf(paths[1]!)];
      expect(a).toHaveLength(6); // the disk and five partitions
      const all = [...a, ...b];
      expect(new Set(all).size).toBe(all.length);
      for (const g of all) expect(g).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      for (const p of paths) await rm(p, { force: true });
    }
  });

  it('classroom: the Btrfs phase counts the unpacked system and the bundle kept in @iios from 0 to its total', async () => {
    const path = join(work, 'classroom.img');
    try {
      const r = await runHelper({ jobId: 'classroom-progress', profile: profile('classroom'), bundleDir: bundle.dir, manifest: bundle.manifest, targets: [{ id: 't1', kind: 'image-file', path, sizeBytes: 700 * MiB, hostname: 'class-01' }] });
      expect(r.results, r.stderr).toEqual([{ targetId: 't1', ok: true, verified: true }]);
      const btrfs = progressByPhase(r, 't1').get('btrfs')!;
      const total = btrfs[0]!.total;
      // the root holds 6 MiB of random bytes plus a few small files: unpacked it is a little more than that; the
      // bundle's own files are copied into @iios/bundles/ beside it (what a clone or repair rebuilds from)
      const bundleBytes = Object.values(bundle.manifest.files).reduce((s, f) => s + f.sizeBytes, 0);
      expect(total).toBeGreaterThan(6 * MiB + bundleBytes);
      expect(total).toBeLessThan(7 * MiB + bundleBytes);
      expect(btrfs[0]).toEqual({ done: 0, total });
      expect(btrfs.at(-1)).toEqual({ done: total, total });
      expect(btrfs.every((p) => p.total === total && p.done <= total)).toBe(true);
    } finally {
      await rm(path, { force: true });
    }
  });

  it("appliance with caches: progress in btrfs and caches, and the helper's verify re-hashes the caches", async () => {
    // room for the bundle, the data partition's least (1 GiB) and what the 3 MiB cache takes there (cache-fit.ts)
    const size = 1800 * MiB;
    const path = join(work, 'appliance.img');
    try {
      const job = {
        jobId: 'appliance-caches', profile: profile('appliance'), bundleDir: bundle.dir, manifest: bundle.manifest,
        caches: [{ kind: 'apt', path: aptCache }], targets: [{ id: 't1', kind: 'image-file' as const, path, sizeBytes: size, hostname: 'app-01' }],
      };
      const r = await runHelper(job);
      expect(r.results, r.stderr).toEqual([{ targetId: 't1', ok: true, verified: true }]);
      const byPhase = progressByPhase(r, 't1');
      const bundleBytes = Object.values(bundle.manifest.files).reduce((s, f) => s + f.sizeBytes, 0);
      expect(byPhase.get('btrfs')![0]).toEqual({ done: 0, total: bundleBytes });
      expect(byPhase.get('btrfs')!.at(-1)).toEqual({ done: bundleBytes, total: bundleBytes });
      const cacheBytes = 3 * MiB + 17;
      expect(byPhase.get('caches')![0]).toEqual({ done: 0, total: cacheBytes });
      expect(byPhase.get('caches')!.at(-1)).toEqual({ done: cacheBytes, total: cacheBytes });
      const verifyTotal = 2 * bundle.manifest.rootfs.sizeBytes + cacheBytes;
      expect(byPhase.get('verify')!.at(-1)).toEqual({ done: verifyTotal, total: verifyTotal });

      // The helper's verify, called directly on the written image with what the stamp on it records.
      const { parts } = await readGpt(path);
      const stamp = JSON.parse((await espFile(path, parts, '/iios/stick.json'))!) as { caches: VerifyExpect['caches'] };
      expect(stamp.caches).toHaveLength(1);
      // planned as the helper planned it: for its caches (their room kept before the slots grew)
      const plan = planLayout(job.profile, validateBundleManifest(bundle.manifest), size, { sectorSize: 512, caches: { bytes: cacheBytes, files: 2 } });
      const verifyNow = () => {
        const ctx = new TargetCtx(job.targets[0]!, plan, job.profile, () => undefined, new AbortController().signal);
        return verifyTarget(ctx, {
          rootfsBytes: bundle.manifest.rootfs.sizeBytes,
          rootfsSha256: bundle.manifest.files[bundle.manifest.rootfs.file]!.sha256,
          rootHash: bundle.manifest.verity.rootHash,
          espFiles: {},
          caches: stamp.caches!,
        });
      };
      await verifyNow();
      const data = partByName(parts, 'iios-data');
      await withMountedPart(path, data, (dir) => writeFile(join(dir, '@caches/apt/pkgcache.bin'), Buffer.alloc(3 * MiB, 8)), false);
      await expect(verifyNow()).rejects.toThrow(/^cache apt: reads back as 2 files \/ 3145745 bytes with manifest sha256 [0-9a-f]{64}, expected 2 \/ 3145745 with [0-9a-f]{64}$/);
      await withMountedPart(path, data, (dir) => rm(join(dir, '@caches/apt'), { recursive: true }), false);
      await expect(verifyNow()).rejects.toThrow('cache apt: @caches/apt is missing');
    } finally {
      await rm(path, { force: true });
    }
  });
});
