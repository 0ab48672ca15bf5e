// A kiosk stick cloned: one verity-sealed root, a small ext4 payload partition with the files chosen at write
// time, and a Btrfs data partition with @state and @home but no @iios: the writer keeps the profile and the
// bundle's manifest on the ESP (/iios/profiles/, /iios/bundles/), where the clone reads them. The clone verifies,
// its payload holds the same files byte for byte (read with debugfs, not iios), the payload filesystem passes
// e2fsck and has its own UUID (also when the source's payload was mounted after its last check, as on a kiosk
// that booted), the stamp keeps the payload list and names the source; onto a same-size image
// and a larger loop device, with --fresh, and refused up front (with the size needed) onto one too small.
// The payload verify is met by the fault it exists for (a byte of a payload file changed between writing and
// verifying), at write and at clone time; a source whose ESP-kept manifest was changed is refused, naming it.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { runHelper, type HelperRun } from '../support/run-helper.ts';
import { flipByte } from '../support/stick-faults.ts';
import { btrfsCheck, gptParts, makeLoopDisk, readStamp, sgdiskVerify, verityVerify, withBtrfs, withPartLoop, type GptPart } from '../support/written-stick.ts';

const MiB = 1024 * 1024;
const SIZE = 1200 * MiB;
const isRoot = process.getuid?.() === 0;
const mtoolsEnv = { MTOOLS_SKIP_CHECK: '1' };
const profile = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/kiosk.yaml'), 'utf8'), 'kiosk.yaml', 'kiosk');
const PAGE = '<!doctype html><title>lobby</title><p>Welcome</p>\n';
const PAGE_SHA = createHash('sha256').update(PAGE).digest('hex');

let bundle: TestBundle;
let work = '';
let page = '';
let source = '';
let sourceSha = '';

const why = (r: HelperRun, id: string) => `${r.failed(id)?.message ?? ''}\n${r.stderr}`;

async function sha256(path: string): Promise<string> {
  return (await execa('sha256sum', [path])).stdout.split(' ')[0]!;
}

async function part(disk: string, name: string): Promise<GptPart> {
  const p = (await gptParts(disk)).find((x) => x.name === name);
  if (!p) throw new Error(`${disk}: no ${name} partition`);
  return p;
}

/** A payload file's bytes, read from the stick's ext4 with debugfs. */
async function payloadFile(disk: string, name: string): Promise<Buffer> {
  return withPartLoop(disk, await part(disk, 'iios-payload'), async (dev) => Buffer.from((await execa('debugfs', ['-R', `cat /${name}`, dev], { encoding: 'buffer', stripFinalNewline: false })).stdout));
}

async function payloadFs(disk: string): Promise<{ uuid: string; fsck: number }> {
  return withPartLoop(disk, await part(disk, 'iios-payload'), async (dev) => ({
    // dumpe2fs reads the superblock itself (blkid may answer from its cache for a reused loop device name)
    uuid: /^Filesystem UUID:\s+(\S+)/m.exec((await execa('dumpe2fs', ['-h', dev])).stdout)?.[1] ?? '',
    fsck: (await execa('e2fsck', ['-fn', dev], { reject: false })).exitCode ?? -1,
  }));
}

/** Where byte `k` of a payload file sits on the disk: its first block (debugfs bmap) times the block size. */
async function payloadByteAt(disk: string, name: string, k: number): Promise<number> {
  const p = await part(disk, 'iios-payload');
  const { block, size } = await withPartLoop(disk, p, async (dev) => ({
    block: Number((await execa('debugfs', ['-R', `bmap /${name} 0`, dev])).stdout.trim()),
    size: Number(/^Block size:\s+(\d+)/m.exec((await execa('dumpe2fs', ['-h', dev])).stdout)![1]),
  }));
  if (!(block > 0)) throw new Error(`${name} has no first block on ${disk}`);
  return p.start + block * size + k;
}

async function espText(disk: string, path: string): Promise<string> {
  const esp = await part(disk, 'IIOS-ESP');
  return (await execa('mtype', ['-i', `${disk}@@${esp.start}`, `::${path}`], { env: mtoolsEnv, stripFinalNewline: false })).stdout;
}

const writeJob = (jobId: string, id: string, path: string, hostname: string) => ({
  jobId,
  profile,
  bundleDir: bundle.dir,
  manifest: bundle.manifest,
  payload: [{ sourcePath: page, name: 'piece.html' }],
  targets: [{ id, kind: 'image-file', path, sizeBytes: SIZE, hostname }],
});

const cloneJob = (from: string, targets: { id: string; kind: 'image-file' | 'device'; path: string; sizeBytes: number; hostname: string }[], extra: Record<string, unknown> = {}) => ({
  kind: 'clone',
  jobId: 'kiosk-clone',
  sourcePath: from,
  targets,
  ...extra,
});

/** Runs `job` with verify held at its gate until `fault` has changed the target; returns the run. */
async function withFault(job: unknown, fault: (targetId: string) => Promise<void>): Promise<{ r: HelperRun; faulted: string[] }> {
  const gate = await mkdtemp(join(tmpdir(), 'iios-kioskclone-gate-'));
  const faulted: string[] = [];
  try {
    const r = await runHelper(job, {
      env: { IIOS_TEST_VERIFY_GATE: gate },
      onEvent: async (e) => {
        if (e.kind !== 'phase' || e.phase !== 'verify') return;
        try {
          await fault(e.targetId);
          faulted.push(e.targetId);
        } finally {
          await writeFile(join(gate, e.targetId), '');
        }
      },
    });
    return { r, faulted };
  } finally {
    await rm(gate, { recursive: true, force: true });
  }
}

describe.skipIf(!isRoot)('clone: kiosk (verity root and a payload partition)', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'iios-kioskclone-'));
    bundle = await makeBundle({ randomBytes: 4 * MiB, name: 'iios-kiosk', version: '1.0' });
    page = join(work, 'piece.html');
    await writeFile(page, PAGE);
    source = join(work, 'kiosk-src.img');
    const w = await runHelper(writeJob('kiosk-src', 'src', source, 'lobby'));
    expect(w.results?.[0], why(w, 'src')).toMatchObject({ ok: true, verified: true });
    // what the stick gathered in use: a file in @home, one in @state
    await withBtrfs(source, 'iios-data', async (mnt) => {
      await writeFile(join(mnt, '@home/visitor.txt'), 'signed the guest book\n');
      await writeFile(join(mnt, '@state/kiosk.log'), 'shown 41 times\n');
    }, { readOnly: false });
    // and a payload mounted since it was last checked, as on a kiosk that booted (tune2fs -U refuses such a one)
    const times = await withPartLoop(source, await part(source, 'iios-payload'), async (dev) => {
      const mnt = await mkdtemp(join(tmpdir(), 'iios-kioskclone-mnt-'));
      try {
        await new Promise((r) => setTimeout(r, 1100));
        await execa('mount', ['-t', 'ext4', dev, mnt]);
        await execa('umount', [mnt]);
      } finally {
        await execa('umount', [mnt], { reject: false });
        await rm(mnt, { recursive: true, force: true });
      }
      const h = (await execa('dumpe2fs', ['-h', dev])).stdout;
      const at = (label: string) => Date.parse(new RegExp(`^${label}:\\s+(.+)$`, 'm').exec(h)![1]!);
      return { mounted: at('Last mount time'), checked: at('Last checked') };
    }, false);
    expect(times.mounted).toBeGreaterThan(times.checked);
    sourceSha = await sha256(source);
  }, 600_000);
  afterAll(async () => {
    await bundle?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the written stick keeps its profile and manifest on the ESP, recorded in the stamp', async () => {
    const stamp = (await readStamp(source)) as Awaited<ReturnType<typeof readStamp>> & { espFiles: Record<string, string> };
    const paths = ['/iios/profiles/kiosk.json', '/iios/bundles/iios-kiosk-1.0/manifest.json'];
    for (const p of paths) expect(stamp.espFiles[p], p).toBe(createHash('sha256').update(await espText(source, p)).digest('hex'));
    expect(JSON.parse(await espText(source, paths[0]!))).toMatchObject({ id: 'kiosk', mode: 'ab' });
    expect(JSON.parse(await espText(source, paths[1]!))).toMatchObject({ name: 'iios-kiosk', version: '1.0', verity: { rootHash: bundle.manifest.verity!.rootHash } });
    expect(stamp.payload).toEqual([{ path: '/piece.html', sha256: PAGE_SHA, sizeBytes: PAGE.length }]);
  });

  it('onto a same-size image and a larger loop device: verifies, same payload files in a payload filesystem of its own, @home kept', async () => {
    const same = join(work, 'kiosk-same.img');
    const big = await makeLoopDisk(work, 'kiosk-big.backing', 1500 * MiB);
    try {
      const c = await runHelper(
        cloneJob(source, [
          { id: 'same', kind: 'image-file', path: same, sizeBytes: SIZE, hostname: 'lobby-2' },
          { id: 'big', kind: 'device', path: big.dev, sizeBytes: 1500 * MiB, hostname: 'lobby-3' },
        ]),
      );
      expect(c.results, `${why(c, 'same')}\n${why(c, 'big')}`).toEqual([
        { targetId: 'same', ok: true, verified: true },
        { targetId: 'big', ok: true, verified: true },
      ]);
      const src = await payloadFs(source);
      for (const [disk, hostname] of [[same, 'lobby-2'], [big.dev, 'lobby-3']] as const) {
        const stamp = await readStamp(disk);
        expect(stamp).toMatchObject({ complete: true, profile: 'kiosk', hostname, clonedFrom: { name: 'lobby' } });
        expect(stamp.payload).toEqual([{ path: '/piece.html', sha256: PAGE_SHA, sizeBytes: PAGE.length }]);
        expect((await payloadFile(disk, 'piece.html')).toString()).toBe(PAGE);
        const dst = await payloadFs(disk);
        expect(dst.fsck).toBe(0);
        expect(dst.uuid).toMatch(/^[0-9a-f-]{36}$/);
        expect(dst.uuid).not.toBe(src.uuid);
        expect(await verityVerify(disk, 'a', bundle.manifest.verity!.rootHash)).toBe(true);
        expect(await sgdiskVerify(disk)).toMatch(/No problems found/);
        expect(await btrfsCheck(disk, 'iios-data')).toBe(true);
        // the ESP-kept profile and manifest came along: the clone is itself a source
        expect(await espText(disk, '/iios/profiles/kiosk.json')).toBe(await espText(source, '/iios/profiles/kiosk.json'));
        expect(await withBtrfs(disk, 'iios-data', async (mnt) => [readFileSync(join(mnt, '@home/visitor.txt'), 'utf8'), readFileSync(join(mnt, '@state/kiosk.log'), 'utf8')])).toEqual([
          'signed the guest book\n',
          'shown 41 times\n',
        ]);
      }
      // the larger stick's data partition took the extra room
      expect((await part(big.dev, 'iios-data')).size - (await part(same, 'iios-data')).size).toBe(300 * MiB);
      expect(await sha256(source)).toBe(sourceSha);
    } finally {
      await big.detach();
      await rm(same, { force: true });
    }
  }, 900_000);

  it('--fresh: the same system and payload, @home and @state empty', async () => {
    const out = join(work, 'kiosk-fresh.img');
    try {
      const c = await runHelper(cloneJob(source, [{ id: 'f', kind: 'image-file', path: out, sizeBytes: SIZE, hostname: 'lobby-4' }], { fresh: true }));
      expect(c.results?.[0], why(c, 'f')).toMatchObject({ ok: true, verified: true });
      expect((await payloadFile(out, 'piece.html')).toString()).toBe(PAGE);
      expect(await withBtrfs(out, 'iios-data', async (mnt) => [(await execa('ls', ['-A', join(mnt, '@home')])).stdout, (await execa('ls', ['-A', join(mnt, '@state')])).stdout])).toEqual(['', '']);
      expect(await verityVerify(out, 'a', bundle.manifest.verity!.rootHash)).toBe(true);
      expect(await sha256(source)).toBe(sourceSha);
    } finally {
      await rm(out, { force: true });
    }
  }, 600_000);

  it('a target too small is refused before anything is written, with the size the clone needs; onto that size it works', async () => {
    const out = join(work, 'kiosk-tiny.img');
    const r = await runHelper(cloneJob(source, [{ id: 't', kind: 'image-file', path: out, sizeBytes: 400 * MiB, hostname: 'lobby-5' }]));
    expect(r.results?.[0]?.ok).toBe(false);
    const said = /needs at least \d+(\.\d+)? MB \(([\d,.\u202f ]+) bytes\) to clone "lobby"/.exec(r.failed('t')?.message ?? '');
    expect(said, r.failed('t')?.message).not.toBeNull();
    expect(r.phases('t')).toEqual(['check']);
    await expect(stat(out)).rejects.toThrow();
    expect(await sha256(source)).toBe(sourceSha);
    // the size it names is the size it needs: a clone onto exactly that many bytes (less than the source's) works
    const needed = Number(said![2]!.replace(/\D/g, ''));
    expect(needed).toBeGreaterThan(400 * MiB);
    expect(needed).toBeLessThan(SIZE);
    try {
      const c = await runHelper(cloneJob(source, [{ id: 'n', kind: 'image-file', path: out, sizeBytes: needed, hostname: 'lobby-5' }]));
      expect(c.results?.[0], why(c, 'n')).toMatchObject({ ok: true, verified: true });
      expect((await payloadFile(out, 'piece.html')).toString()).toBe(PAGE);
      expect((await stat(out)).size).toBe(needed);
      expect(await sha256(source)).toBe(sourceSha);
    } finally {
      await rm(out, { force: true });
    }
  }, 600_000);

  it('a payload byte changed on the clone between writing and verifying fails it, naming the file', async () => {
    const out = join(work, 'kiosk-fault.img');
    try {
      const { r, faulted } = await withFault(cloneJob(source, [{ id: 'x', kind: 'image-file', path: out, sizeBytes: SIZE, hostname: 'lobby-6' }]), async () =>
        flipByte(out, await payloadByteAt(out, 'piece.html', 20)),
      );
      expect(faulted, r.stderr).toEqual(['x']);
      expect(r.results?.[0], r.stderr).toMatchObject({ ok: false, verified: false });
      expect(r.failed('x')?.message).toMatch(/^verify failed: payload file \/piece\.html reads back with sha256 [0-9a-f]{64} \(50 bytes\), expected [0-9a-f]{64} \(50 bytes\)$/);
      // typed for the reader's language: the payload check, the file and both its sha256 and sizes
      expect(r.failed('x')?.failure).toMatchObject({ key: 'verify-failed', checks: [{ id: { check: 'payload' }, ok: false, said: { key: 'payload-differs', problems: [{ path: '/piece.html', got: { sizeBytes: 50 }, want: { sizeBytes: 50 } }] } }] });
      expect(await sha256(source)).toBe(sourceSha);
    } finally {
      await rm(out, { force: true });
    }
  }, 600_000);

  it('a payload byte changed between writing and verifying a new kiosk stick fails it, naming the file', async () => {
    const out = join(work, 'kiosk-write-fault.img');
    try {
      const { r, faulted } = await withFault(
        writeJob('kiosk-write-fault', 'w', out, 'lobby-7'),
        async () => flipByte(out, await payloadByteAt(out, 'piece.html', 3)),
      );
      expect(faulted, r.stderr).toEqual(['w']);
      expect(r.results?.[0], r.stderr).toMatchObject({ ok: false, verified: false });
      expect(r.failed('w')?.message).toMatch(/^verify failed: payload file \/piece\.html reads back with sha256 [0-9a-f]{64} \(50 bytes\), expected [0-9a-f]{64} \(50 bytes\)$/);
      // typed for the reader's language: the payload check, the file and both its sha256 and sizes
      expect(r.failed('w')?.failure).toMatchObject({ key: 'verify-failed', checks: [{ id: { check: 'payload' }, ok: false, said: { key: 'payload-differs', problems: [{ path: '/piece.html', got: { sizeBytes: 50 }, want: { sizeBytes: 50 } }] } }] });
    } finally {
      await rm(out, { force: true });
    }
  }, 600_000);

  it('a kiosk profile with a FAT payload: the clone verifies, the same file under a new volume serial, the label kept', async () => {
    const fatProfile = parseImageProfile(
      readFileSync(join(import.meta.dirname, '../../resources/profiles/kiosk.yaml'), 'utf8').replace(/(role: payload\n\s+size: 32MiB\n\s+filesystem:) ext4/, '$1 vfat'),
      'kiosk-fat.yaml',
      'kiosk',
    );
    expect(fatProfile.partitions.find((p) => p.role === 'payload')?.filesystem).toBe('vfat');
    const src = join(work, 'kiosk-fat-src.img');
    const out = join(work, 'kiosk-fat-clone.img');
    const fatInfo = async (disk: string) => {
      const p = await part(disk, 'iios-payload');
      const { stdout } = await execa('blkid', ['-p', '-O', String(p.start), '-S', String(p.size), '-o', 'export', disk]);
      const page = (await execa('mtype', ['-i', `${disk}@@${p.start}`, '::/piece.html'], { env: mtoolsEnv, stripFinalNewline: false })).stdout;
      return { type: /^TYPE=(.*)$/m.exec(stdout)?.[1], label: /^LABEL=(.*)$/m.exec(stdout)?.[1], serial: /^UUID=(.*)$/m.exec(stdout)?.[1], page };
    };
    try {
      const w = await runHelper({ ...writeJob('kiosk-fat-src', 's', src, 'foyer'), profile: fatProfile });
      expect(w.results?.[0], why(w, 's')).toMatchObject({ ok: true, verified: true });
      const c = await runHelper(cloneJob(src, [{ id: 'c', kind: 'image-file', path: out, sizeBytes: SIZE, hostname: 'foyer-2' }]));
      expect(c.results?.[0], why(c, 'c')).toMatchObject({ ok: true, verified: true });
      const [a, b] = [await fatInfo(src), await fatInfo(out)];
      expect(a).toMatchObject({ type: 'vfat', label: 'IIOS-PAYLD', page: PAGE });
      expect(b).toMatchObject({ type: 'vfat', label: 'IIOS-PAYLD', page: PAGE });
      expect(b.serial).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/);
      expect(b.serial).not.toBe(a.serial);
      expect(await withPartLoop(out, await part(out, 'iios-payload'), async (dev) => (await execa('fsck.vfat', ['-n', dev], { reject: false })).exitCode)).toBe(0);
    } finally {
      await rm(src, { force: true });
      await rm(out, { force: true });
    }
  }, 600_000);

  it('a source whose ESP-kept manifest no longer matches its stamp is refused before anything is written, naming the file', async () => {
    const damaged = join(work, 'kiosk-damaged.img');
    const out = join(work, 'kiosk-from-damaged.img');
    try {
      await execa('cp', ['--sparse=always', source, damaged]);
      const path = '/iios/bundles/iios-kiosk-1.0/manifest.json';
      const text = await espText(damaged, path);
      const changed = join(work, 'manifest.json');
      await writeFile(changed, `${text.slice(0, -1)} \n`); // one byte more: still the same JSON, not the same file
      await execa('mcopy', ['-o', '-i', `${damaged}@@${(await part(damaged, 'IIOS-ESP')).start}`, changed, `::${path}`], { env: mtoolsEnv });
      const r = await runHelper(cloneJob(damaged, [{ id: 'd', kind: 'image-file', path: out, sizeBytes: SIZE, hostname: 'lobby-8' }]));
      expect(r.results?.[0]?.ok).toBe(false);
      expect(r.failed('d')?.message).toMatch(/the stick's ESP file \/iios\/bundles\/iios-kiosk-1\.0\/manifest\.json reads with sha256 [0-9a-f]{64}, its stamp says [0-9a-f]{64}/);
      expect(r.phases('d')).toEqual(['check']);
      await expect(stat(out)).rejects.toThrow();
    } finally {
      await rm(damaged, { force: true });
      await rm(out, { force: true });
    }
  }, 300_000);
});
