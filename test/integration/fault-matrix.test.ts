// The fault suite: every profile × every fault, each at a phase boundary the helper itself announces, on two
// loop targets of which t1 is the faulted one. After each fault: t1 reads incomplete (a raw target: no
// partition table), t2 completes and verifies where only t1 was hit (the detach), the source is unchanged,
// nothing of the helper is left (its folder, mounts, loops over the targets), and the next job on the same
// targets succeeds. "The app dies" is its end of the socket and of the helper's stderr pipe closing at once,
// which is what the kernel does to a killed app's descriptors. The product is whole: every profile × every
// phase the helper announces for it (each occurrence, e.g. a raw job's second 'slots', its table going on) ×
// every fault. A clean job per profile first pins the phase table to the helper's own event sequence, so a
// phase added to the helper and missing here fails the baseline instead of going untested.
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStick } from '../../src-main/services/stick/stick-verify.ts';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeBundle, sha256File, type TestBundle } from '../support/make-bundle.ts';
import { makeRawImage, type RawImage } from '../support/make-raw-image.ts';
import { runHelper, type HelperControl } from '../support/run-helper.ts';
import { espFile, makeLoop, readGpt, sha256Range, type TestLoop } from '../support/helper-checks.ts';

const MiB = 1024 * 1024;
const SIZE = 2300 * MiB;
const PROFILES = ['classroom', 'appliance', 'kiosk', 'raw'] as const;
const FAULTS = ['cancel', 'app killed', 'helper killed', 'target detached'] as const;
type Fault = (typeof FAULTS)[number];
/** Phases each profile's job passes through, in order, as its t1 announces them (checked by the baselines). */
const PHASES: Record<(typeof PROFILES)[number], string[]> = {
  classroom: ['check', 'wipe', 'partition', 'esp', 'stamp', 'btrfs', 'verify', 'stamp'],
  appliance: ['check', 'wipe', 'partition', 'esp', 'stamp', 'slots', 'verity', 'btrfs', 'verify', 'stamp'],
  kiosk: ['check', 'wipe', 'partition', 'esp', 'stamp', 'slots', 'verity', 'btrfs', 'payload', 'verify', 'stamp'],
  // The image's first MiB (its table) goes on after verify, inside that phase.
  raw: ['check', 'wipe', 'slots', 'verify'],
};

const profile = (id: string) => parseImageProfile(readFileSync(join(import.meta.dirname, `../../resources/profiles/${id}.yaml`), 'utf8'), `${id}.yaml`, id);

let bundle: TestBundle;
let raw: RawImage;
let sourceSha: Record<string, string>;
let cases = 0;
const found: string[] = [];
const started = Date.now();

beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 8 * MiB });
  raw = await makeRawImage({ mib: 48 });
  sourceSha = { root: await sha256File(join(bundle.dir, bundle.manifest.rootfs.file)), raw: await sha256File(raw.path) };
});
afterAll(async () => {
  await bundle?.cleanup();
  await raw?.cleanup();
  process.stdout.write(`fault matrix: ${cases} cases in ${Math.round((Date.now() - started) / 1000)} s${found.length ? `\n${found.join('\n')}` : ''}\n`);
});

function job(id: (typeof PROFILES)[number], devs: string[]) {
  const p = profile(id);
  const source = id === 'raw' ? { imagePath: raw.path } : { bundleDir: bundle.dir, manifest: bundle.manifest };
  return { jobId: `matrix-${id}`, profile: p, ...source, targets: devs.map((d, i) => ({ id: `t${i + 1}`, kind: 'device' as const, path: d, sizeBytes: SIZE, hostname: `m-0${i + 1}` })) };
}

/** The helper's folder, mounts in it, and loops over the targets or their files other than the targets' own. */
async function leftovers(pid: number | null, backings: string[], own: string[]): Promise<string[]> {
  for (let i = 0; ; i++) {
    const out: string[] = [];
    const dirs = readdirSync(tmpdir()).filter((n) => n.startsWith(`iios-helper-${pid}-`));
    out.push(...dirs);
    const mounts = (await execa('findmnt', ['-rn', '-o', 'TARGET'])).stdout.split('\n');
    out.push(...mounts.filter((m) => dirs.some((d) => m.startsWith(join(tmpdir(), d)))));
    for (const b of backings) out.push(...(await execa('losetup', ['-j', b])).stdout.split('\n').filter(Boolean).map((l) => l.split(':')[0]!).filter((d) => !own.includes(d)));
    if (out.length === 0 || i >= 10) return out;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Whether the target (its backing file) reads as a finished stick: a complete stamp, or a raw image's table. */
async function readsComplete(id: string, file: string): Promise<boolean> {
  if (id === 'raw') return (await sha256Range(file, 0, MiB)) !== (await sha256Range('/dev/zero', 0, MiB));
  const { parts } = await readGpt(file);
  if (!parts.length) return false;
  const text = await espFile(file, parts, '/iios/stick.json').catch(() => null);
  return !!text && (JSON.parse(text) as { complete?: unknown }).complete === true;
}

/** A target that reads complete is a whole stick: iios verify finds every check good (a raw one: its table went on after its read-back). */
async function wholeStick(id: string, file: string): Promise<boolean> {
  if (id === 'raw') return readsComplete(id, file);
  const report = await verifyStick(file);
  if (!report.ok) found.push(`${file}: reads complete, but ${report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
  return report.ok;
}

function inject(fault: Fault, c: HelperControl, t1: TestLoop): Promise<unknown> | void {
  if (fault === 'cancel') return c.cancel();
  if (fault === 'app killed') return c.appGone();
  if (fault === 'helper killed') return c.killHelper('SIGKILL');
  return execa('losetup', ['-d', t1.dev]);
}

describe('fault matrix', () => {
  for (const id of PROFILES) {
    it(`${id}: a clean job announces the phases the matrix faults`, async () => {
      const loops: TestLoop[] = [await makeLoop(SIZE), await makeLoop(SIZE)];
      try {
        const r = await runHelper(job(id, loops.map((l) => l.dev)));
        expect(r.results).toEqual([
          { targetId: 't1', ok: true, verified: true },
          { targetId: 't2', ok: true, verified: true },
        ]);
        // The helper's own sequence: the end state ('complete') is no phase a fault can land in.
        expect(r.phases('t1').filter((p) => p !== 'complete')).toEqual(PHASES[id]);
      } finally {
        for (const l of loops) await l.cleanup();
      }
    }, 240_000);
    const phases = PHASES[id];
    for (const [k, phase] of phases.entries()) {
      // The how-many-th time t1 enters this phase (a stick's stamp: once incomplete, once complete).
      const nth = phases.slice(0, k + 1).filter((p) => p === phase).length;
      const at = nth > 1 ? `${phase} (${nth}.)` : phase;
      for (const fault of FAULTS) {
        it(`${id}: ${fault} at ${at}`, async () => {
          const loops: TestLoop[] = [await makeLoop(SIZE), await makeLoop(SIZE)];
          const files = loops.map((l) => l.file);
          try {
            let hit = false;
            let seen = 0;
            const r = await runHelper(job(id, loops.map((l) => l.dev)), {
              onEvent: async (e, c) => {
                if (hit || e.kind !== 'phase' || e.targetId !== 't1' || e.phase !== phase || ++seen < nth) return;
                hit = true;
                await inject(fault, c, loops[0]!);
              },
            });
            cases++;
            expect(hit, `the job never reached ${at}`).toBe(true);
            if (fault === 'target detached') {
              // Pulled before its complete stamp was on: failed, and it must not read complete (the helper
              // takes a stamp written into a detached loop's file back). Pulled after: it is a finished stick.
              if (r.results?.[0]?.ok) expect(await wholeStick(id, files[0]!)).toBe(true);
              else {
                expect(r.failed('t1')?.message).toMatch(/removed or stopped responding/);
                expect(await readsComplete(id, files[0]!), 't1 failed, so it must not read complete').toBe(false);
              }
              expect(r.results?.[1]).toMatchObject({ ok: true, verified: true });
              expect(await readsComplete(id, files[1]!)).toBe(true);
            } else {
              // A job-wide fault: targets finish at their own pace, so one may have its complete stamp before the
              // fault lands. Whatever reads complete is a whole stick; where the helper answered, its result agrees.
              for (const [i, f] of files.entries()) {
                const complete = await readsComplete(id, f);
                if (r.results) expect(complete, `t${i + 1} reads ${complete ? '' : 'in'}complete, its result says ${JSON.stringify(r.results[i])}`).toBe(r.results[i]!.ok);
                if (complete) expect(await wholeStick(id, f), `t${i + 1} reads complete but is not a whole stick`).toBe(true);
              }
              if (PHASES[id].indexOf(phase) < PHASES[id].indexOf('verify')) expect(await readsComplete(id, files[0]!), 't1 must not read complete before its verify').toBe(false);
            }
            expect(await sha256File(join(bundle.dir, bundle.manifest.rootfs.file))).toBe(sourceSha.root);
            expect(await sha256File(raw.path)).toBe(sourceSha.raw);
            // The detached loop is gone once the helper let go: attach the same file again for the next job.
            if (fault === 'target detached') loops[0]!.dev = (await execa('losetup', ['-f', '--show', loops[0]!.file])).stdout.trim();
            const own = () => loops.map((l) => l.dev);
            if (fault !== 'helper killed') expect(await leftovers(r.pid, [...files, ...own()], own()), `left by the helper; its stderr:\n${r.stderr}`).toEqual([]);
            const next = await runHelper(job(id, loops.map((l) => l.dev)));
            if (!next.results?.every((x) => x.ok)) found.push(`${id} ${fault} at ${at}: the next job failed: ${JSON.stringify(next.results)}`);
            expect(next.results).toEqual([
              { targetId: 't1', ok: true, verified: true },
              { targetId: 't2', ok: true, verified: true },
            ]);
            // A killed helper's leftovers are gone after the next start (and the next job's own too).
            expect(await leftovers(r.pid, [...files, ...own()], own())).toEqual([]);
            expect(await leftovers(next.pid, [...files, ...own()], own())).toEqual([]);
            for (const f of files) expect(await readsComplete(id, f)).toBe(true);
          } finally {
            for (const l of loops) await l.cleanup();
          }
        }, 240_000);
      }
    }
  }
});
