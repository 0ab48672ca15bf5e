// The capacity check in a clone, through `iios clone --check-capacity` (real CLI and helper): a classroom stick
// cloned onto a FUSE stick that claims 4 GiB and wraps past its real 1 GiB is refused with the size it really
// has, before anything of the clone is written; the same clone onto an honest loop device of that size passes the
// check and is complete. The source is never written.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iios, inspectJson } from '../support/iios-cli.ts';
import { wrappingStick } from '../support/lying-stick.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { makeLoopDisk } from '../support/written-stick.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

let bundle: TestBundle;
let work: string;
let source: string;
let sourceSha: string;
const sha256 = async (p: string) => (await execa('sha256sum', [p])).stdout.split(' ')[0]!;

beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 3 * MiB, name: 'iios-clone-capacity', version: '1.0' });
  work = await mkdtemp(join(tmpdir(), 'iios-clone-capcheck-'));
  source = join(work, 'teacher.img');
  const w = await iios(['write', '--profile', 'classroom', '--bundle', bundle.dir, '--target', source, '--size', '2G', '--name', 'teacher', '--yes']);
  expect(w.exitCode, w.stdout + w.stderr).toBe(0);
  sourceSha = await sha256(source);
}, 300_000);
afterAll(async () => {
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

const clone = (target: string, extra: string[] = ['--check-capacity']) => iios(['clone', source, '--target', target, '--name', 'class-{nn}', ...extra, '--yes'], { timeoutMs: 600_000 });

describe('iios clone --check-capacity', () => {
  it('refuses a stick that wraps past its real size before anything of the clone is written', async () => {
    const stick = await wrappingStick(4 * GiB, 1 * GiB);
    try {
      const r = await clone(stick.dev, ['--check-capacity', '--json']);
      const out = r.stdout + r.stderr;
      expect(r.exitCode, out).toBe(1);
      expect(out).toContain('Fake capacity: this stick says it holds 4.3 GB, but only 1.1 GB are real — what is written past 1.1 GB lands on its beginning again.');
      const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; phase?: string });
      // the check ran, and nothing after it: no wipe, no partition table, no stamp
      expect(events.some((e) => e.kind === 'phase' && e.phase === 'capacity')).toBe(true);
      expect(events.some((e) => e.kind === 'phase' && (e.phase === 'wipe' || e.phase === 'partition'))).toBe(false);
      expect((await inspectJson(stick.dev)).layout).toBeNull();
      expect(await sha256(source)).toBe(sourceSha);
    } finally {
      await stick.detach();
    }
  }, 600_000);

  it('passes an honest stick of the same size, which is then cloned and complete', async () => {
    const loop = await makeLoopDisk(work, 'honest.disk', 4 * GiB);
    try {
      const r = await clone(loop.dev, ['--check-capacity', '--json']);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; phase?: string; message?: string });
      expect(events.some((e) => e.kind === 'log' && /^capacity check: .* written and read back at \d+ places across 4\.3 GB, all as written$/.test(e.message ?? ''))).toBe(true);
      const info = await inspectJson(loop.dev);
      expect(info.complete).toBe(true);
      expect(info.stamp).toMatchObject({ hostname: 'class-01', profile: 'classroom' });
    } finally {
      await loop.detach();
    }
  }, 600_000);
});
