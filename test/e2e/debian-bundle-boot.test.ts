// A real systemd system through iios: Debian bookworm (mmdebstrap, cached) made into a bundle by
// `iios bundle create`, written by `iios write` as appliance and as classroom, booted through OVMF and
// systemd-boot under TCG. Each boot reaches multi-user.target and prints the READY line of the units iios added,
// with version=. Appliance: slot A; on another stick with A damaged, slot B. Classroom: boot 1's counter and a file put in
// between are there in boot 2. Four boots in all, minutes each under TCG: run this file alone. It prints its
// figures at the end: bundle against tree size, create time, each boot's seconds to READY.
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../src-main/services/app/app-info.ts';
import { bootUntilReady, type BootResult } from '../../src-main/services/stick/qemu-boot.ts';
import { iios } from '../support/iios-cli.ts';
import { DEBIAN_BUNDLE_VERSION, ensureDebianBundle, type DebianBundleFigures } from '../support/debian-bundle.ts';
import { espDir, gptParts, readStamp, withBtrfs } from '../support/written-stick.ts';

const isRoot = process.getuid?.() === 0;
const BOOT_TIMEOUT_MS = 1_500_000;
const logDir = join(appRoot(), 'test-artifacts', 'debian-bundle-boot');
const only = process.env.IIOS_DEBIAN_BOOT; // "appliance" or "classroom": one half, to run both halves side by side

// Opt-in (IIOS_E2E_DEBIAN=1), not in CI. Measured on the 2-core dev machine (load 6-12 from others' work),
// 2026-12-03, two runs: `bundle create` from nothing 341 s and 544 s, from a cached tree 76 s (so mmdebstrap's
// download and install is ~4.5 min of it); 154 MiB bundle from a 559 MiB tree. Boots to READY under TCG:
// appliance A 83/171 s, B 123/150 s, classroom 85/92 s then 56/118 s (the second figures to QEMU's stop, up to
// 5 s after READY). The whole file from nothing: 750 s.
// One boot (appliance A) would fit the ~5 min an e2e may add to CI only with the tree cached (76 s create,
// ~15 s write, 83-171 s boot), but CI starts from a fresh clone: every run would pay mmdebstrap too, 7-12 min
// for that one boot, and would depend on Debian's archive answering (and on what it serves that day: bookworm's
// point releases change the tree). So it runs when asked for; the tree and bundle are cached under .cache/ for
// the next run (remove .cache/debian-bundle to measure create again).
const wanted = process.env.IIOS_E2E_DEBIAN === '1';

describe.skipIf(!isRoot || !wanted)('a Debian bookworm bundle boots as appliance and as classroom', () => {
  let bundle = '';
  let work = '';
  let made: DebianBundleFigures | null = null;
  /** one line per boot, printed with the bundle's figures at the end */
  const boots: string[] = [];

  beforeAll(async () => {
    const b = await ensureDebianBundle();
    bundle = b.dir;
    made = b.figures;
    work = await mkdtemp(join(tmpdir(), 'iios-debian-boot-'));
    await mkdir(logDir, { recursive: true });
  }, 3_600_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MiB`;
    const lines = made
      ? [
          `debian bundle size: ${mib(made.bundleBytes)} bundle from a ${mib(made.treeBytes)} tree (${((100 * made.bundleBytes) / made.treeBytes).toFixed(0)} %)`,
          `debian bundle create: ${made.createSeconds.toFixed(0)} s (${made.treeFromCache ? 'tree from the cache' : 'tree built by mmdebstrap first'})`,
        ]
      : ['debian bundle figures: none recorded (the cached bundle predates <version>.create.json: remove .cache/debian-bundle to remake it)'];
    process.stdout.write(`${[...lines, ...boots].join('\n')}\n`);
  });

  async function write(profile: string): Promise<string> {
    const img = join(work, `${profile}.img`);
    const r = await iios(['write', '--profile', profile, '--bundle', bundle, '--target', img, '--size', '4G', '--name', 'deb-{nn}', '--yes'], { timeoutMs: 1_800_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    return img;
  }

  async function boot(disk: string, label: string): Promise<BootResult> {
    const r = await bootUntilReady({ disk, uefi: true, timeoutMs: BOOT_TIMEOUT_MS, memoryMb: 1024 });
    await writeFile(join(logDir, `${label}.serial.log`), r.serial);
    const verdict = r.ready ? 'READY' : (r.failLine ?? r.deadEnd ?? (r.timedOut ? 'no verdict (timed out)' : 'no verdict'));
    boots.push(`debian boot ${label} (TCG): ${((r.verdictAtMs ?? r.elapsedMs) / 1000).toFixed(0)} s to ${verdict}`);
    return r;
  }

  it.skipIf(only === 'classroom')('appliance: slot A boots to multi-user and says READY with version=', async () => {
    const img = await write('appliance');
    const first = await boot(img, 'appliance-a');
    // iios-ready.service is ordered after multi-user.target: its line is the proof (systemd's own status
    // lines stop on the serial console once its getty starts)
    expect(first.ready, first.serial.slice(-4000)).toEqual({ slot: 'a', mode: 'ab', verity: 'ok', boots: '1', hostname: 'deb-01', version: DEBIAN_BUNDLE_VERSION });
    expect(await espDir(img, '/loader/entries')).toContain('/loader/entries/iios-a.conf');
  }, 3_600_000);

  it.skipIf(only === 'classroom')('appliance: with one byte of slot A flipped, verity refuses it and slot B boots', async () => {
    const img = await write('appliance');
    const part = (await gptParts(img)).find((p) => p.name === 'iios-root-a')!;
    const bytes = (await readStamp(img)).slots.a as { rootfsBytes: number };
    const fh = await open(img, 'r+');
    try {
      const b = Buffer.alloc(1);
      const at = part.start + Math.floor(bytes.rootfsBytes / 2);
      await fh.read(b, 0, 1, at);
      b[0] = b[0]! ^ 0x5a;
      await fh.write(b, 0, 1, at);
    } finally {
      await fh.close();
    }
    const second = await boot(img, 'appliance-b');
    expect(second.serial).toContain('slot a refused: verity-mismatch');
    expect(second.ready, second.serial.slice(-4000)).toEqual({ slot: 'b', mode: 'ab', verity: 'ok', boots: '1', hostname: 'deb-01', version: DEBIAN_BUNDLE_VERSION });
  }, 3_600_000);

  it.skipIf(only === 'appliance')('classroom: boots writable, and boot 2 finds what boot 1 and the host left', async () => {
    const img = await write('classroom');
    const first = await boot(img, 'classroom-1');
    expect(first.ready, first.serial.slice(-4000)).toEqual({ slot: 'system', mode: 'writable', verity: 'off', boots: '1', hostname: 'deb-01', version: DEBIAN_BUNDLE_VERSION });
    expect(first.serial).toMatch(/Reached target .*Multi-User System/);
    await withBtrfs(
      img,
      'iios-system',
      async (mnt) => {
        expect((await readFile(join(mnt, 'var/lib/iios/boot-count'), 'utf8')).trim()).toBe('1');
        await mkdir(join(mnt, 'root'), { recursive: true });
        await writeFile(join(mnt, 'root/lesson.txt'), 'fractions, page 12\n');
      },
      { readOnly: false, subvol: '@' },
    );
    const second = await boot(img, 'classroom-2');
    expect(second.ready, second.serial.slice(-4000)).toMatchObject({ slot: 'system', mode: 'writable', boots: '2', version: DEBIAN_BUNDLE_VERSION });
    const lesson = await withBtrfs(img, 'iios-system', async (mnt) => readFile(join(mnt, 'root/lesson.txt'), 'utf8'), { subvol: '@' });
    expect(lesson).toBe('fractions, page 12\n');
  }, 3_600_000);
});
