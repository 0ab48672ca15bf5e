// Raw sticks carry no stamp: `iios verify T` says so and fails; `iios verify T --image FILE` compares T's first
// image bytes with the (decompressed) image by sha256; `iios inspect T` shows the table and "raw image (no iios
// stamp)". Sticks written by the real helper (xz image; GPT image + persistence on a loop device; MBR image +
// persistence) and by dd (gz image); each then fails once one byte is flipped.
import { readFileSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { iios } from '../support/iios-cli.ts';
import { makeLoop, type TestLoop } from '../support/helper-checks.ts';
import { makeRawImage, type RawImage } from '../support/make-raw-image.ts';
import { runHelper } from '../support/run-helper.ts';

const MiB = 1024 * 1024;
/** A number as the English terminal writes it ("25,165,824"). */
const grouped = (n: number) => n.toLocaleString('en');
const raw = parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles/raw.yaml'), 'utf8'), 'raw.yaml', 'raw');

let xzImage: RawImage;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  xzImage = await makeRawImage({ mib: 24, compress: 'xz' });
});
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
afterAll(async () => {
  await xzImage?.cleanup();
});

/** XORs one byte of a file or device with 0xff (flipping it back is the same call). */
async function flipByte(path: string, at: number): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0xff;
    await fh.write(b, 0, 1, at);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function helperWrites(image: string, path: string, kind: 'image-file' | 'device', sizeBytes: number, persistence: boolean) {
  const r = await runHelper({ jobId: 'raw-verify', profile: raw, imagePath: image, persistence, targets: [{ id: 't1', kind, path, sizeBytes, hostname: 'raw-01' }] });
  expect(r.results, r.stderr).toEqual([{ targetId: 't1', ok: true, verified: true }]);
}

describe('iios verify and inspect on raw sticks', () => {
  it('an xz image written by the helper: no stamp without --image; verified against the image; one flipped byte fails', async () => {
    const stick = join(xzImage.plainPath, '..', 'stick.img');
    cleanups.push(() => rm(stick, { force: true }));
    await helperWrites(xzImage.path, stick, 'image-file', 64 * MiB, false);

    const bare = await iios(['verify', stick]);
    expect(bare.exitCode).toBe(1);
    expect(bare.stdout).toContain(`FAIL  stamp: no iios stamp on ${stick}: a raw image carries none; verify it against its image with --image FILE`);

    const inspect = await iios(['inspect', stick]);
    expect(inspect.exitCode).toBe(0);
    expect(inspect.stdout).toContain('raw image (no iios stamp)');
    expect(inspect.stdout).toMatch(/^\s*1\s+rawroot\s+2048\s/m);
    expect(inspect.stdout).toContain(`iios verify ${stick} --image FILE`);

    const ok = await iios(['verify', stick, '--image', xzImage.path]);
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    // the terminal's line says its numbers the reader's way (--json keeps the plain figures)
    expect(ok.stdout).toContain(`ok    image sha256: ${grouped(24 * MiB)} bytes match the image (sha256 ${xzImage.sha256})`);
    expect(ok.stdout).toContain(`${stick}: verified against ${xzImage.path}, 1 check passed`);

    const at = 10 * MiB + 12345;
    await flipByte(stick, at);
    const bad = await iios(['verify', stick, '--image', xzImage.path, '--json']);
    expect(bad.exitCode).toBe(1);
    const report = JSON.parse(bad.stdout) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.ok).toBe(false);
    expect(report.checks[0]).toMatchObject({ name: 'image sha256', ok: false });
    expect(report.checks[0]!.detail).toMatch(new RegExp(`^differs from the image: 1 byte differs, the first at byte ${at}; sha256 [0-9a-f]{64} ≠ image ${xzImage.sha256}$`));
  });

  it('a GPT image plus persistence on a loop device: the table iios extended is accepted, an image entry or byte changed is not', async () => {
    const loop: TestLoop = await makeLoop(400 * MiB);
    cleanups.push(() => loop.cleanup());
    await helperWrites(xzImage.path, loop.dev, 'device', 400 * MiB, true);

    const ok = await iios(['verify', loop.dev, '--image', xzImage.plainPath]);
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`ok    image sha256: ${grouped(24 * MiB)} bytes match the image \\(sha256 ${xzImage.sha256}\\) except its partition table, which iios extended with iios-data: \\d+ bytes of the first 17\\.4 kB differ; the image's own entries and boot code are unchanged`));
    expect(ok.stdout).toContain('ok    gpt: sgdisk -v: no problems');
    expect(ok.stdout).toContain('ok    ext4 iios-data: e2fsck -fn: clean');
    expect((await iios(['inspect', loop.dev])).stdout).toContain('with an iios persistence partition (iios-data) behind the image');

    // the image's own entry 1 (its name, 56 bytes into the entry at LBA 2)
    await flipByte(loop.dev, 1024 + 56);
    const entry = await iios(['verify', loop.dev, '--image', xzImage.plainPath]);
    expect(entry.exitCode).toBe(1);
    expect(entry.stdout).toMatch(/FAIL {2}image sha256: the image's own partition table was changed \(GPT entry 1 differs\)/);
    await flipByte(loop.dev, 1024 + 56);
    expect((await iios(['verify', loop.dev, '--image', xzImage.plainPath])).exitCode).toBe(0);

    await flipByte(loop.dev, 24 * MiB - 1);
    const last = await iios(['verify', loop.dev, '--image', xzImage.plainPath]);
    expect(last.exitCode).toBe(1);
    expect(last.stdout).toMatch(new RegExp(`FAIL  image sha256: differs from the image: 1 byte differs, the first at byte ${grouped(24 * MiB - 1)}`));
  });

  it('an MBR image plus persistence: its other MBR entry may be new, its own may not change', async () => {
    const img = await makeRawImage({ mib: 24, table: 'mbr' });
    cleanups.push(() => img.cleanup());
    const stick = join(img.plainPath, '..', 'mbr-stick.img');
    await helperWrites(img.path, stick, 'image-file', 400 * MiB, true);
    const ok = await iios(['verify', stick, '--image', img.path]);
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/ok {4}image sha256: .* except its partition table, which iios extended with partition 2: \d+ bytes of the first 512 B differ/);
    await flipByte(stick, 446 + 8); // the image's own first entry: its start sector
    const bad = await iios(['verify', stick, '--image', img.path]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain("FAIL  image sha256: the image's own partition table was changed (MBR entry 1 differs)");
  });

  it('a .gz image written with dd: verified; a stick shorter than the image fails', async () => {
    const img = await makeRawImage({ mib: 24, compress: 'gz' });
    cleanups.push(() => img.cleanup());
    const stick = join(img.plainPath, '..', 'dd-stick.img');
    await execa('truncate', ['-s', String(32 * MiB), stick]);
    await execa('bash', ['-c', 'gzip -dc "$1" | dd of="$2" bs=1M conv=notrunc,fsync status=none iflag=fullblock', '_', img.path, stick]);
    const ok = await iios(['verify', stick, '--image', img.path]);
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`bytes match the image (sha256 ${img.sha256})`);
    await flipByte(stick, 5 * MiB);
    expect((await iios(['verify', stick, '--image', img.path])).stdout).toContain(`1 byte differs, the first at byte ${grouped(5 * MiB)}`);
    await execa('truncate', ['-s', String(20 * MiB), stick]);
    const short = await iios(['verify', stick, '--image', img.path]);
    expect(short.exitCode).toBe(1);
    expect(short.stdout).toContain(`FAIL  image sha256: the stick ends at byte ${grouped(20 * MiB)}, before the image's ${grouped(24 * MiB)} bytes`);
  });
});
