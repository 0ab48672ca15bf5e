// The capacity check against sticks that lie, through `iios write --check-capacity` (real CLI, job service and
// helper): a FUSE stick that claims 4 GiB and wraps past its real 1 GiB, and a stick on a full tmpfs whose
// writes fail past 8 MiB, are both refused with the size they really have and what to do, and nothing of the
// system is written to them; an honest loop device of the same size passes the check and is written as usual.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iios, inspectJson } from '../support/iios-cli.ts';
import { fullStick, wrappingStick } from '../support/lying-stick.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { makeLoopDisk } from '../support/written-stick.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

let bundle: TestBundle;
let work: string;

beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 4 * MiB, name: 'iios-capacity', version: '1.0' });
  work = await mkdtemp(join(tmpdir(), 'iios-capcheck-'));
}, 120_000);
afterAll(async () => {
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

const write = (target: string, extra: string[] = ['--check-capacity'], env?: NodeJS.ProcessEnv) =>
  iios(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', target, '--name', 'lab-{nn}', ...extra, '--yes'], env ? { env } : {});

describe('iios write --check-capacity', () => {
  it('finds a stick that wraps past its real size, names the real size and what to do, and writes nothing of the system', async () => {
    const stick = await wrappingStick(4 * GiB, 1 * GiB);
    try {
      const r = await write(stick.dev);
      const out = r.stdout + r.stderr;
      expect(r.exitCode, out).toBe(1);
      expect(out).toContain('Fake capacity: this stick says it holds 4.3 GB, but only 1.1 GB are real — what is written past 1.1 GB lands on its beginning again.');
      expect(out).toContain('give it back to the seller, or use it only as a 1.1 GB stick');
      expect(out).not.toMatch(/removed or stopped responding/);
      // the check ran before the wipe: no partition table, no stamp
      expect((await inspectJson(stick.dev)).layout).toBeNull();
    } finally {
      await stick.detach();
    }
  }, 300_000);

  it('says it in German when iios speaks German', async () => {
    const stick = await wrappingStick(4 * GiB, 1 * GiB);
    try {
      const r = await write(stick.dev, ['--check-capacity'], { ...process.env, LC_ALL: 'de_DE.UTF-8' });
      expect(r.exitCode).toBe(1);
      expect(r.stdout + r.stderr).toContain('Gefälschte Größe: dieser Stick gibt 4,3 GB an, echt sind aber nur 1,1 GB — was hinter 1,1 GB geschrieben wird, landet wieder an seinem Anfang.');
    } finally {
      await stick.detach();
    }
  }, 300_000);

  it('finds a stick whose writes fail past what it holds (ENOSPC behind a loop device)', async () => {
    const stick = await fullStick(4 * GiB, 8 * MiB);
    try {
      const r = await write(stick.dev);
      const out = r.stdout + r.stderr;
      expect(r.exitCode, out).toBe(1);
      expect(out).toMatch(/Fake capacity: this stick says it holds 4\.3 GB, but writing to it fails at (\d\.\d) MB \(E\w+\)\. iios stopped before writing the system\. Do not use it for anyone's work: give it back to the seller\./);
      const real = Number(/fails at (\d\.\d) MB/.exec(out)![1]);
      // the first 16 MiB are written whole, so the writes fail where the tmpfs is full (8 MiB = 8.4 MB)
      expect(real).toBeGreaterThan(7);
      expect(real).toBeLessThanOrEqual(8.4);
      expect((await inspectJson(stick.dev)).layout).toBeNull();
    } finally {
      await stick.detach();
    }
  }, 300_000);

  it('passes an honest stick of the same size, which is then written and complete', async () => {
    const loop = await makeLoopDisk(work, 'honest.disk', 4 * GiB);
    try {
      const r = await write(loop.dev, ['--check-capacity', '--json']);
      const out = r.stdout + r.stderr;
      expect(r.exitCode, out).toBe(0);
      const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; phase?: string; message?: string });
      expect(events.some((e) => e.kind === 'phase' && e.phase === 'capacity')).toBe(true);
      expect(events.some((e) => e.kind === 'log' && /^capacity check: .* written and read back at \d+ places across 4\.3 GB, all as written$/.test(e.message ?? ''))).toBe(true);
      expect((await inspectJson(loop.dev)).complete).toBe(true);
    } finally {
      await loop.detach();
    }
  }, 300_000);
});
