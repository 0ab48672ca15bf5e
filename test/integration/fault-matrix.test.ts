// The fault suite: every profile × every fault, each at a phase boundary the helper itself announces, on two
// loop targets of which t1 is the faulted one. After each fault: t1 reads incomplete (a raw target: no
// partition table), t2 completes and verifies where only t1 was hit (the detach), the source is unchanged,
// nothing of the helper is left (its folder, mounts, loops over the targets), and the next job on the same
// targets succeeds. "The app dies" is its end of the socket and of the helper's stderr pipe closing at once,
// which is what the kernel does to a killed app's descriptors. To keep the run short, each (profile, fault)
// pair gets one phase, rotating so that every phase of every profile is met by some fault.
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
/** Phases each profile's job passes through (from its events); a raw target's table goes on after verify. */
const PHASES: Record<(typeof PROFILES)[number], string[]> = {
  classroom: ['wipe', 'partition', 'esp', 'stamp', 'btrfs', 'verify'],
  appliance: ['wipe', 'partition', 'esp', 'slots', 'btrfs', 'verify'],
  kiosk: ['wipe', 'esp', 'slots', 'btrfs', 'payload', 'verify'],
  raw: ['wipe', 'slots', 'verify', 'slots'],
};

const profile = (id: string) => parseImageProfile(readFileSync(join(import.meta.dirname, `../../resources/profiles/${id}.yaml`), 'utf8'), `${id}.yaml`, id);

let bundle: TestBundle;
let raw: RawImage;
let sourceSha: Record<string, string>;
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
  process.stdout.write(`fault matrix: ${PROFILES.length * FAULTS.length} cases in ${Math.round((Date.now() - started) / 1000)} s${found.length ? `\n${found.join('\n')}` : ''}\n`);
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

function inject(fault: Fault, c: HelperControl, t1: TestLoop): Promise<unknown> | void {
  if (fault === 'cancel') return c.cancel();
  if (fault === 'app killed') return c.appGone();
  if (fault === 'helper killed') return c.killHelper('SIGKILL');
  return execa('losetup', ['-d', t1.dev]);
}

describe('fault matrix', () => {
  for (const [pi, id] of PROFILES.entries()) {
    for (const [fi, fault] of FAULTS.entries()) {
      const phases = PHASES[id];
      const phase = phases[(fi + pi) % phases.length]!;
      it(`${id}: ${fault} at ${phase}`, async () => {
        const loops: TestLoop[] = [await makeLoop(SIZE), await makeLoop(SIZE)];
        const files = loops.map((l) => l.file);
        try {
          let hit = false;
          const r = await runHelper(job(id, loops.map((l) => l.dev)), {
            onEvent: async (e, c) => {
              if (hit || e.kind !== 'phase' || e.targetId !== 't1' || e.phase !== phase) return;
              hit = true;
              await inject(fault, c, loops[0]!);
            },
          });
          expect(hit, `the job never reached ${phase}`).toBe(true);
          expect(await readsComplete(id, files[0]!), 't1 must not read complete').toBe(false);
          if (fault === 'target detached') {
            expect(r.failed('t1')?.message).toMatch(/removed or stopped responding/);
            expect(r.results?.[1]).toMatchObject({ ok: true, verified: true });
            expect(await readsComplete(id, files[1]!)).toBe(true);
          } else {
            expect(await readsComplete(id, files[1]!), 'a job-wide fault leaves t2 incomplete too').toBe(false);
          }
          expect(await sha256File(join(bundle.dir, bundle.manifest.rootfs.file))).toBe(sourceSha.root);
          expect(await sha256File(raw.path)).toBe(sourceSha.raw);
          // The detached loop is gone once the helper let go: attach the same file again for the next job.
          if (fault === 'target detached') loops[0]!.dev = (await execa('losetup', ['-f', '--show', loops[0]!.file])).stdout.trim();
          const own = () => loops.map((l) => l.dev);
          if (fault !== 'helper killed') expect(await leftovers(r.pid, [...files, ...own()], own())).toEqual([]);
          const next = await runHelper(job(id, loops.map((l) => l.dev)));
          if (!next.results?.every((x) => x.ok)) found.push(`${id} ${fault} at ${phase}: the next job failed: ${JSON.stringify(next.results)}`);
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
});
