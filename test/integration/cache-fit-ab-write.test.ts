// An A/B (appliance) stick written by the real helper with caches: the layout keeps the caches' room (the fit
// rule's, cache-fit.ts) for the data partition before the slots grow, and the stamp records it; a stick with less
// spare room than that is refused before anything is made; a repair re-plans the stick with the recorded room and
// finds its partitions where they are; a clone onto a stick of the same size keeps that room too, and repairs.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheFit, cacheRoomBytes, type CacheContent } from '../../src-shared/caches/cache-fit.ts';
import { planLayout } from '../../src-shared/layout/index.ts';
import { validateBundleManifest } from '../../src-shared/profile/index.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { espFile, partByName, readGpt, withMountedPart } from '../support/helper-checks.ts';
import { iios } from '../support/iios-cli.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { runHelper } from '../support/run-helper.ts';

const MiB = 1024 * 1024;
const appliance = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');
let bundle: TestBundle;
let work: string;
let cache: string;
/** one 24 MiB file: its room in a 1 GiB data partition is about 180 MiB */
const content: CacheContent = { bytes: 24 * MiB, files: 1 };

beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 3 * MiB, name: 'iios-abfit', version: '1.0' });
  work = await mkdtemp(join(tmpdir(), 'iios-abfit-'));
  cache = join(work, 'handouts');
  await mkdir(cache);
  await writeFile(join(cache, 'big.bin'), Buffer.alloc(content.bytes, 0x5a));
});
afterAll(async () => {
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

const job = (path: string, sizeBytes: number) => ({
  jobId: 'abfit', profile: appliance, bundleDir: bundle.dir, manifest: bundle.manifest,
  caches: [{ kind: 'files', path: cache }], targets: [{ id: 't1', kind: 'image-file' as const, path, sizeBytes, hostname: 'lab-01' }],
});

describe('an appliance stick written with caches', () => {
  it('keeps the caches\' room in the data partition (the slots get the rest), records it, and repairs with it', async () => {
    const manifest = validateBundleManifest(bundle.manifest);
    const needs = planLayout(appliance, manifest, 8 * 1024 * MiB).neededBytes;
    const dataMin = planLayout(appliance, manifest, needs).partitions.at(-1)!.sizeBytes;
    const room = cacheRoomBytes(content, dataMin);
    // 64 MiB more than the caches need: without their room kept, the slots (1 GiB preferred) would take it all
    const size = needs + room + 64 * MiB;
    expect(planLayout(appliance, manifest, size).partitions.at(-1)!.sizeBytes).toBeLessThan(dataMin + room);
    expect(cacheFit(planLayout(appliance, manifest, size), content).kind).toBe('fits');

    const path = join(work, 'appliance.img');
    const r = await runHelper(job(path, size), { timeoutMs: 600_000 });
    expect(r.results, r.stderr).toEqual([{ targetId: 't1', ok: true, verified: true }]);
    const { parts } = await readGpt(path);
    const data = partByName(parts, 'iios-data');
    const dataBytes = (data.end - data.start + 1) * 512;
    expect(dataBytes).toBeGreaterThanOrEqual(dataMin + room);
    // the slots grew with what was left over, no more
    const plan = planLayout(appliance, manifest, size, { caches: content });
    expect(plan.slotRoom!.grownBytes).toBeGreaterThan(0);
    expect(plan.slotRoom!.grownBytes).toBeLessThanOrEqual(64 * MiB);
    for (const p of plan.partitions) expect([partByName(parts, p.name).start * 512, (partByName(parts, p.name).end + 1) * 512]).toEqual([p.startBytes, p.startBytes + p.sizeBytes]);
    await withMountedPart(path, data, async (dir) => expect((await stat(join(dir, '@caches/files/big.bin'))).size).toBe(content.bytes));
    const stamp = JSON.parse((await espFile(path, parts, '/iios/stick.json'))!) as { cacheRoomBytes?: number };
    expect(stamp.cacheRoomBytes).toBe(room);

    // a repair plans the stick again: with the room the stamp recorded, its partitions are where they were
    const repaired = await iios(['repair', path, '--yes'], { timeoutMs: 600_000 });
    expect(repaired.exitCode, repaired.stdout + repaired.stderr).toBe(0);
    const after = await readGpt(path);
    expect(after.parts.map((p) => [p.name, p.start, p.end])).toEqual(parts.map((p) => [p.name, p.start, p.end]));
    expect((JSON.parse((await espFile(path, after.parts, '/iios/stick.json'))!) as { cacheRoomBytes?: number }).cacheRoomBytes).toBe(room);

  }, 900_000);

  it('clones a stick whose data fills it onto one of the same size: the data keeps its room before the clone\'s slots grow, and the clone repairs', async () => {
    // 896 MiB of caches: more than the data partition's minimum (1 GiB) takes in a clone, so it must keep room for them
    const big: CacheContent = { bytes: 896 * MiB, files: 1 };
    const folder = join(work, 'films');
    await mkdir(folder);
    const chunk = Buffer.alloc(8 * MiB, 0x6b);
    const fh = await open(join(folder, 'film.bin'), 'w');
    for (let i = 0; i < big.bytes / chunk.length; i++) await fh.write(chunk);
    await fh.close();
    const manifest = validateBundleManifest(bundle.manifest);
    const needs = planLayout(appliance, manifest, 8 * 1024 * MiB).neededBytes;
    const size = needs + cacheRoomBytes(big, planLayout(appliance, manifest, needs).partitions.at(-1)!.sizeBytes) + 64 * MiB;
    const path = join(work, 'films.img');
    const r = await runHelper({ ...job(path, size), caches: [{ kind: 'files', path: folder }] }, { timeoutMs: 600_000 });
    expect(r.results, r.stderr).toEqual([{ targetId: 't1', ok: true, verified: true }]);

    const copy = join(work, 'clone.img');
    const c = await iios(['clone', path, '--target', copy, '--size', String(size), '--name', 'lab-02', '--yes'], { timeoutMs: 600_000 });
    expect(c.exitCode, c.stdout + c.stderr).toBe(0);
    const cloned = await readGpt(copy);
    const kept = (JSON.parse((await espFile(copy, cloned.parts, '/iios/stick.json'))!) as { cacheRoomBytes?: number }).cacheRoomBytes;
    expect(kept).toBeGreaterThan(0);
    const fixed = await iios(['repair', copy, '--yes'], { timeoutMs: 600_000 });
    expect(fixed.exitCode, fixed.stdout + fixed.stderr).toBe(0);
    expect((await readGpt(copy)).parts.map((p) => [p.name, p.start, p.end])).toEqual(cloned.parts.map((p) => [p.name, p.start, p.end]));
    await withMountedPart(copy, partByName(cloned.parts, 'iios-data'), async (dir) => expect((await stat(join(dir, '@caches/files/film.bin'))).size).toBe(big.bytes));
  }, 900_000);

  it('refuses a stick with less spare room than the caches need before the image file is made', async () => {
    const manifest = validateBundleManifest(bundle.manifest);
    const needs = planLayout(appliance, manifest, 8 * 1024 * MiB).neededBytes;
    const room = cacheRoomBytes(content, planLayout(appliance, manifest, needs).partitions.at(-1)!.sizeBytes);
    const path = join(work, 'small.img');
    const r = await runHelper(job(path, needs + room - MiB));
    expect(r.failed('t1')?.message).toMatch(/the caches \([\d.]+ MB in 1 file\) need more room than this [\d.]+ GB target leaves for them/);
    expect(r.phases('t1')).toEqual(['check']);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  }, 300_000);
});
