// Faults while writing, with the real helper over a real socket: two targets from one read, cancel in the
// middle (the stamp stays incomplete, nothing stays attached), and one of two loop targets detached
// mid-write (that one fails with a clear message, the other completes and verifies).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { runHelper } from '../support/run-helper.ts';
import { espFile, makeLoop, partByName, readGpt, sha256Range, verityVerify, type TestLoop } from '../support/helper-checks.ts';

const MiB = 1024 * 1024;
const APPLIANCE = 2200 * MiB;
const appliance = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');

let bundle: TestBundle;
let work: string;
beforeAll(async () => {
  // Stored uncompressed so the slot write lasts long enough to be interrupted.
  bundle = await makeBundle({ randomBytes: 160 * MiB, compress: false });
  work = await mkdtemp(join(tmpdir(), 'iios-faults-'));
});
afterAll(async () => {
  await bundle?.cleanup();
  await rm(work, { recursive: true, force: true });
});

const job = (targets: { id: string; kind: 'device' | 'image-file'; path: string }[]) => ({
  jobId: 'faults',
  profile: appliance,
  bundleDir: bundle.dir,
  manifest: bundle.manifest,
  targets: targets.map((t, i) => ({ ...t, sizeBytes: APPLIANCE, hostname: `class-0${i + 1}` })),
});

const attachedTo = async (file: string) => (await execa('losetup', ['-j', file])).stdout.trim();

describe('helper faults', () => {
  it('writes two loop targets from one read of the root image; both verify independently', async () => {
    const loops: TestLoop[] = [await makeLoop(APPLIANCE), await makeLoop(APPLIANCE)];
    try {
      const r = await runHelper(job(loops.map((l, i) => ({ id: `t${i + 1}`, kind: 'device' as const, path: l.dev }))));
      expect(r.results).toEqual([
        { targetId: 't1', ok: true, verified: true },
        { targetId: 't2', ok: true, verified: true },
      ]);
      const reads = r.events.filter((e) => e.kind === 'log' && e.message.startsWith('root.squashfs: read once'));
      expect(reads.map((e) => (e.kind === 'log' ? e.message : ''))).toEqual([`root.squashfs: read once (${bundle.manifest.rootfs.sizeBytes} bytes) for 2 target(s)`]);
      for (const [i, l] of loops.entries()) {
        const { parts } = await readGpt(l.dev);
        const stamp = JSON.parse((await espFile(l.dev, parts, '/iios/stick.json'))!) as { complete: boolean; hostname: string };
        expect(stamp).toMatchObject({ complete: true, hostname: `class-0${i + 1}` });
        expect(await verityVerify(l.dev, parts, 'b', bundle.manifest.verity.rootHash)).toBe(0);
      }
      // Progress was reported with a speed and an ETA while the slots were written.
      expect(r.events.some((e) => e.kind === 'progress' && e.speedBps > 0 && e.etaSeconds !== null)).toBe(true);
    } finally {
      for (const l of loops) await l.cleanup();
    }
  });

  it('cancel mid-write leaves the stamp incomplete and nothing attached or mounted', async () => {
    const img = join(work, 'cancel.img');
    const r = await runHelper(job([{ id: 't1', kind: 'image-file', path: img }]), {
      onEvent: (e, control) => {
        if (e.kind === 'phase' && e.phase === 'slots') control.cancel();
      },
    });
    expect(r.failed('t1')).toEqual({
      message: expect.stringMatching(/^cancelled during (slots|verity|btrfs); the stick is incomplete$/),
      cancelled: true,
      failure: { key: 'cancelled', phase: expect.stringMatching(/^(slots|verity|btrfs)$/) },
    });
    expect(r.results).toEqual([{ targetId: 't1', ok: false, verified: false, message: expect.stringMatching(/cancelled/), failure: r.failed('t1')!.failure }]);
    expect(r.exitCode).not.toBe(0);
    expect(r.phases('t1')).not.toContain('verify');
    const { parts } = await readGpt(img);
    const stamp = JSON.parse((await espFile(img, parts, '/iios/stick.json'))!) as { complete: boolean };
    expect(stamp.complete).toBe(false);
    expect(await attachedTo(img)).toBe('');
    expect((await execa('findmnt', ['-rn', '-o', 'TARGET'])).stdout).not.toMatch(/iios-mnt-/);
  });

  it('the app going away (socket closed) mid-write cancels the job and the helper exits', async () => {
    const img = join(work, 'closed.img');
    const started = Date.now();
    const r = await runHelper(job([{ id: 't1', kind: 'image-file', path: img }]), {
      onEvent: (e, control) => {
        if (e.kind === 'phase' && e.phase === 'slots') control.closeSocket();
      },
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/cancelling \(the app closed the connection\)/);
    expect(Date.now() - started).toBeLessThan(60_000);
    const { parts } = await readGpt(img);
    expect(JSON.parse((await espFile(img, parts, '/iios/stick.json'))!)).toMatchObject({ complete: false });
    expect(await attachedTo(img)).toBe('');
  });

  it('without pings the helper gives up after 10 s; a refused token ends it at once', async () => {
    const started = Date.now();
    const silent = await runHelper(job([{ id: 't1', kind: 'image-file', path: join(work, 'never.img') }]), { noPings: true, holdJob: true });
    expect(silent.stderr).toMatch(/no ping from the app for 10 s/);
    expect(Date.now() - started).toBeGreaterThan(9_000);
    expect(silent.exitCode).not.toBe(0);
    const refused = await runHelper(job([{ id: 't1', kind: 'image-file', path: join(work, 'never.img') }]), { rejectToken: true });
    expect(refused.events).toEqual([]);
    expect(refused.exitCode).not.toBe(0);
    await expect(stat(join(work, 'never.img'))).rejects.toThrow(/ENOENT/);
  });

  it('a loop target detached mid-write fails clearly while the other one completes and verifies', async () => {
    const loops: TestLoop[] = [await makeLoop(APPLIANCE), await makeLoop(APPLIANCE)];
    let detached = false;
    try {
      const r = await runHelper(job(loops.map((l, i) => ({ id: `t${i + 1}`, kind: 'device' as const, path: l.dev }))), {
        onEvent: async (e) => {
          if (!detached && e.kind === 'phase' && e.targetId === 't2' && e.phase === 'slots') {
            detached = true;
            await execa('losetup', ['-d', loops[1]!.dev]);
          }
        },
      });
      expect(detached).toBe(true);
      expect(r.failed('t2')).toEqual({
        message: expect.stringMatching(/^the stick was removed or stopped responding during (slots|verity|btrfs); nothing on it is usable — write it again$/),
        cancelled: false,
        failure: { key: 'removed', phase: expect.stringMatching(/^(slots|verity|btrfs)$/) },
      });
      expect(r.results).toEqual([
        { targetId: 't1', ok: true, verified: true },
        { targetId: 't2', ok: false, verified: false, message: r.failed('t2')!.message, failure: r.failed('t2')!.failure },
      ]);
      const { parts } = await readGpt(loops[0]!.dev);
      expect(await verityVerify(loops[0]!.dev, parts, 'a', bundle.manifest.verity.rootHash)).toBe(0);
      const rootB = partByName(parts, 'iios-root-b');
      expect(await sha256Range(loops[0]!.dev, rootB.start * 512, bundle.manifest.rootfs.sizeBytes)).toBe(bundle.manifest.files['root.squashfs']!.sha256);
      // The detached loop is gone once the helper let go of it.
      expect(await attachedTo(loops[1]!.file)).toBe('');
    } finally {
      for (const l of loops) await l.cleanup();
    }
  });
});
