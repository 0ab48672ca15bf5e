// The helper against an attacker and a careless user (issue 11): an image file's folder swapped for a link at
// every phase, a write that could be refused up front (100T, a payload too large, a full filesystem), a target
// busy under a loop device, a helper killed outright, the app gone in the middle of a job.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeBundle, sha256File, type TestBundle } from '../support/make-bundle.ts';
import { runHelper } from '../support/run-helper.ts';
import { espFile, makeLoop, readGpt, sha256Range, type TestLoop } from '../support/helper-checks.ts';

const MiB = 1024 * 1024;
const KIOSK = 700 * MiB;
const profile = (id: string) => parseImageProfile(readFileSync(join(import.meta.dirname, `../../resources/profiles/${id}.yaml`), 'utf8'), `${id}.yaml`, id);
const kiosk = profile('kiosk');

let bundle: TestBundle;
let work: string;
beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 4 * MiB });
  work = await mkdtemp(join(tmpdir(), 'iios-harden-'));
});
afterAll(async () => {
  await bundle?.cleanup();
  await rm(work, { recursive: true, force: true });
});

const job = (targets: { id: string; kind: 'device' | 'image-file'; path: string; sizeBytes?: number }[], extra: Record<string, unknown> = {}) => ({
  jobId: 'harden',
  profile: kiosk,
  bundleDir: bundle.dir,
  manifest: bundle.manifest,
  targets: targets.map((t, i) => ({ sizeBytes: KIOSK, hostname: `kiosk-0${i + 1}`, ...t })),
  ...extra,
});

/** What the helper with this pid left: its folder, mounts in it, loops over `backing` (a moment given to the
 *  kernel, which frees a loop let go of with autoclear asynchronously). */
async function leftovers(pid: number | null, backing: string): Promise<string[]> {
  for (let i = 0; i < 10; i++) {
    const found = await leftoversNow(pid, backing);
    if (found.length === 0 || i === 9) return found;
    await new Promise((r) => setTimeout(r, 300));
  }
  return [];
}

async function leftoversNow(pid: number | null, backing: string): Promise<string[]> {
  const out: string[] = [];
  const dirs = readdirSync(tmpdir()).filter((n) => n.startsWith(`iios-helper-${pid}-`));
  out.push(...dirs);
  const mounts = (await execa('findmnt', ['-rn', '-o', 'TARGET'])).stdout.split('\n');
  out.push(...mounts.filter((m) => dirs.some((d) => m.startsWith(join(tmpdir(), d)))));
  out.push(...(await execa('losetup', ['-j', backing])).stdout.split('\n').filter(Boolean).map((l) => l.split(':')[0]!));
  return out;
}

const snapshot = async (dir: string) =>
  Object.fromEntries(await Promise.all(readdirSync(dir).map(async (n) => [n, await readFile(join(dir, n), 'utf8')] as const)));

describe('an image file whose folder is swapped for a link mid-job', () => {
  it('writes only into the folder it checked, whatever the phase of the swap', async () => {
    // The phases of this job, from the helper's own events.
    const probe = join(work, 'probe');
    await mkdir(probe);
    const first = await runHelper(job([{ id: 't1', kind: 'image-file', path: join(probe, 'x.img') }]));
    expect(first.results?.[0]?.ok).toBe(true);
    const phases = [...new Set(first.phases('t1'))];
    expect(phases).toEqual(expect.arrayContaining(['wipe', 'partition', 'esp', 'slots', 'payload', 'verify', 'stamp']));
    for (const phase of phases) {
      const base = join(work, `swap-${phase}`);
      await mkdir(join(base, 'out'), { recursive: true });
      await mkdir(join(base, 'other'));
      // What an attacker wants the root helper to destroy: a text file of the very name, and another one.
      await writeFile(join(base, 'other', 'x.img'), 'not an image: the helper must never touch this\n');
      await writeFile(join(base, 'other', 'notes.txt'), 'mine\n');
      const before = await snapshot(join(base, 'other'));
      let swapped = false;
      const r = await runHelper(job([{ id: 't1', kind: 'image-file', path: join(base, 'out', 'x.img') }]), {
        onEvent: async (e) => {
          if (swapped || e.kind !== 'phase' || e.phase !== phase) return;
          swapped = true;
          await rename(join(base, 'out'), join(base, 'out-checked'));
          await symlink(join(base, 'other'), join(base, 'out'));
        },
      });
      expect(swapped, phase).toBe(true);
      expect(await snapshot(join(base, 'other')), `swap at ${phase}`).toEqual(before);
      if (phase !== 'check') {
        // Past the check the job goes on where it was checked, and completes there.
        expect(r.results?.[0], phase).toMatchObject({ ok: true });
        expect(existsSync(join(base, 'out-checked', 'x.img'))).toBe(true);
      }
      expect(await leftovers(r.pid, join(base, 'out-checked', 'x.img'))).toEqual([]);
    }
  }, 600_000);
});

describe('refused before the first byte', () => {
  it('--size 100T leaves an existing image as it was', async () => {
    const dir = join(work, 'big');
    await mkdir(dir);
    const img = join(dir, 'old.img');
    const ok = await runHelper(job([{ id: 't1', kind: 'image-file', path: img }]));
    expect(ok.results?.[0]?.ok).toBe(true);
    const sha = await sha256File(img);
    const r = await runHelper(job([{ id: 't1', kind: 'image-file', path: img, sizeBytes: 100 * 1024 ** 4 }]));
    expect(r.results?.[0]).toMatchObject({ ok: false, message: expect.stringMatching(/more than the filesystem .* allows for one file/) });
    expect(await sha256File(img)).toBe(sha);
    expect(readdirSync(dir)).toEqual(['old.img']);
  }, 120_000);

  it('an image file on a filesystem without room for the job is refused, nothing made', async () => {
    const dir = join(work, 'small-fs');
    await mkdir(dir);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir]);
    try {
      const r = await runHelper(job([{ id: 't1', kind: 'image-file', path: join(dir, 's.img') }]));
      expect(r.results?.[0]).toMatchObject({ ok: false, message: expect.stringMatching(/free.*writes at least/) });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await execa('umount', [dir]);
    }
  }, 60_000);

  it('payload files too large for the payload partition are refused before the target is touched', async () => {
    const loop = await makeLoop(KIOSK);
    try {
      await writeFile(loop.dev, Buffer.alloc(MiB, 7));
      const head = await sha256Range(loop.dev, 0, MiB);
      const big = join(work, 'piece.bin');
      await execa('head', ['-c', String(40 * MiB), '/dev/urandom'], { stdout: { file: big } });
      const r = await runHelper(job([{ id: 't1', kind: 'device', path: loop.dev }], { payload: [{ sourcePath: big, name: 'piece.bin' }] }));
      expect(r.results?.[0]).toMatchObject({ ok: false, message: expect.stringMatching(/payload partition holds about/) });
      expect(r.phases('t1')).not.toContain('wipe');
      expect(await sha256Range(loop.dev, 0, MiB)).toBe(head);
    } finally {
      await loop.cleanup();
    }
  }, 60_000);
});

describe('a target busy under a loop device', () => {
  it('is refused while a loop over a range of it is mounted; with unmounting allowed it is cleaned and written', async () => {
    const loop = await makeLoop(KIOSK);
    const mnt = await mkdtemp(join(tmpdir(), 'iios-harden-mnt-'));
    let inner = '';
    try {
      inner = (await execa('losetup', ['-f', '--show', '-o', String(MiB), '--sizelimit', String(64 * MiB), loop.dev])).stdout.trim();
      await execa('mkfs.ext4', ['-q', '-F', inner]);
      await execa('mount', [inner, mnt]);
      const refused = await runHelper(job([{ id: 't1', kind: 'device', path: loop.dev }]));
      expect(refused.results?.[0]).toMatchObject({ ok: false, message: expect.stringContaining(`loop device ${inner} covers bytes ${MiB}–${65 * MiB} of it, mounted at ${mnt}`) });
      expect(refused.phases('t1')).not.toContain('wipe');
      const cleaned = await runHelper(job([{ id: 't1', kind: 'device', path: loop.dev }], { unmountIfMounted: true }));
      expect(cleaned.results?.[0]).toMatchObject({ ok: true, verified: true });
      expect((await execa('findmnt', ['-rn', mnt], { reject: false })).stdout).toBe('');
      expect((await execa('losetup', ['-j', loop.dev])).stdout).toBe('');
    } finally {
      await execa('umount', [mnt], { reject: false });
      if (inner) await execa('losetup', ['-d', inner], { reject: false });
      await loop.cleanup();
      await rm(mnt, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the helper killed, the app gone', () => {
  it('cleans what a killed helper left at the next start, and nothing of another process', async () => {
    const loop = await makeLoop(KIOSK);
    let foreign = '';
    try {
      const killed = await runHelper(job([{ id: 't1', kind: 'device', path: loop.dev }]), {
        onEvent: async (e, c) => {
          if (e.kind !== 'phase' || e.phase !== 'payload') return;
          // Killed the moment the payload partition's loop is attached: the helper leaves it behind.
          for (let i = 0; i < 500 && !(await execa('losetup', ['-j', loop.dev])).stdout; i++) await new Promise((r) => setTimeout(r, 10));
          c.killHelper('SIGKILL');
        },
      });
      expect(killed.exitCode).toBe(null);
      expect((await leftoversNow(killed.pid, loop.dev)).some((l) => l.startsWith('/dev/loop'))).toBe(true);
      // Someone else's loop over the same disk, at a range the dead helper never planned.
      foreign = (await execa('losetup', ['-f', '--show', '-o', '4096', '--sizelimit', String(MiB), loop.dev])).stdout.trim();
      const next = await runHelper(job([{ id: 't1', kind: 'device', path: loop.dev }]));
      expect(await leftovers(killed.pid, loop.dev)).toEqual([foreign]);
      expect(next.events.filter((e) => e.kind === "log").map((e) => (e.kind === "log" ? e.message : "")).join("\n")).toContain(`left by helper ${killed.pid}`);
      expect(next.results?.[0]).toMatchObject({ ok: false, message: expect.stringContaining(`loop device ${foreign}`) });
      await execa('losetup', ['-d', foreign]);
      foreign = '';
      const again = await runHelper(job([{ id: 't1', kind: 'device', path: loop.dev }]));
      expect(again.results?.[0]).toMatchObject({ ok: true, verified: true });
    } finally {
      if (foreign) await execa('losetup', ['-d', foreign], { reject: false });
      await loop.cleanup();
    }
  }, 180_000);

  it.each(['app gone', 'SIGHUP'] as const)('%s mid-job: the helper unmounts, detaches, removes its folder and leaves the stick incomplete', async (how) => {
    const loop = await makeLoop(KIOSK);
    try {
      const r = await runHelper(job([{ id: 't1', kind: 'device', path: loop.dev }]), {
        onEvent: (e, c) => {
          if (e.kind !== 'phase' || e.phase !== 'btrfs') return;
          if (how === 'app gone') c.appGone();
          else c.killHelper('SIGHUP');
        },
      });
      expect(r.exitCode).toBe(1);
      expect(await leftovers(r.pid, loop.dev)).toEqual([]);
      const { parts } = await readGpt(loop.dev);
      const stamp = JSON.parse((await espFile(loop.dev, parts, '/iios/stick.json'))!) as { complete: boolean };
      expect(stamp.complete).toBe(false);
    } finally {
      await loop.cleanup();
    }
  }, 120_000);

  it('a loop target detached after its stamp was begun fails at once, and the file behind it never reads complete', async () => {
    const loops: TestLoop[] = [await makeLoop(KIOSK), await makeLoop(KIOSK)];
    try {
      const r = await runHelper(job(loops.map((l, i) => ({ id: `t${i + 1}`, kind: 'device' as const, path: l.dev }))), {
        onEvent: async (e) => {
          if (e.kind === 'phase' && e.targetId === 't1' && e.phase === 'payload') await execa('losetup', ['-d', loops[0]!.dev]);
        },
      });
      expect(r.failed('t1')?.message).toMatch(/removed or stopped responding during (payload|verify)/);
      expect(r.results?.[1]).toMatchObject({ ok: true, verified: true });
      const { parts } = await readGpt(loops[0]!.file);
      const stamp = JSON.parse((await espFile(loops[0]!.file, parts, '/iios/stick.json'))!) as { complete: boolean };
      expect(stamp.complete).toBe(false);
    } finally {
      for (const l of loops) await l.cleanup();
    }
  }, 120_000);
});
