// The capacity check in a clone, through `iios clone --check-capacity` (real CLI and helper): a classroom stick
// cloned onto a FUSE stick that claims 4 GiB and wraps past its real 1 GiB is refused with the size it really
// has, before anything of the clone is written; the same clone onto an honest loop device of that size passes the
// check and is complete. The source is never written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeClassroomSource, type ClassroomSource } from '../support/classroom-source.ts';
import { iios, inspectJson } from '../support/iios-cli.ts';
import { wrappingStick } from '../support/lying-stick.ts';
import { makeLoopDisk } from '../support/written-stick.ts';

const GiB = 1024 ** 3;

let src: ClassroomSource;
let source: string;

beforeAll(async () => {
  src = await writeClassroomSource('iios-clone-capacity');
  source = src.source;
}, 300_000);
afterAll(async () => {
  await src?.cleanup();
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
      expect(await src.unchanged()).toBe(true);
    } finally {
      await stick.detach();
    }
  }, 600_000);

  it('passes an honest stick of the same size, which is then cloned and complete', async () => {
    const loop = await makeLoopDisk(src.work, 'honest.disk', 4 * GiB);
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
