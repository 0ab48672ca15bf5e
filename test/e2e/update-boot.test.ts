// Updates booted for real (OVMF → systemd-boot → the demo OS, QEMU -accel tcg), one chain of boots, each once:
// an appliance stick written with the demo bundle (v1) is updated to v2 and boots slot B with version=v2 and
// boots=1, then boots=2 (blessed); updated to v3 it boots slot A; a v4 whose slot is corrupted after writing
// falls back to v3 and `iios inspect` marks the slot bad. A kiosk stick's payload, replaced with `iios payload`,
// is what its booted system sees.
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRoot } from '../../src-main/services/app/app-info.ts';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { bootUntilReady, type BootResult } from '../../src-main/services/stick/qemu-boot.ts';
import { iios } from '../support/iios-cli.ts';
import { espDir, gptParts, readStamp } from '../support/written-stick.ts';

const isRoot = process.getuid?.() === 0;
const logDir = join(appRoot(), 'test-artifacts', 'update-boot');
const BOOT_TIMEOUT_MS = 300_000;

/** `build:demo --version V`: the demo system as version V, in its own cache folder (the last line it prints). */
async function demoBundle(version: string): Promise<string> {
  const r = await execa('bash', [join(appRoot(), 'resources/demo-os/build.sh'), '--version', version], { timeout: 1_800_000 });
  return r.stdout.trim().split('\n').at(-1)!;
}
const versionOf = async (dir: string) => (JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { version: string }).version;

describe.skipIf(!isRoot)('A/B updates boot through OVMF and systemd-boot', () => {
  let work = '';
  const b: Record<'v1' | 'v2' | 'v3' | 'v4', string> = { v1: '', v2: '', v3: '', v4: '' };
  const ver: Record<string, string> = {};
  let stick = '';

  beforeAll(async () => {
    b.v1 = await ensureDemoBundle();
    b.v2 = await demoBundle('2026.12.1');
    b.v3 = await demoBundle('2026.12.2');
    b.v4 = await demoBundle('2026.12.3');
    for (const k of Object.keys(b) as (keyof typeof b)[]) ver[k] = await versionOf(b[k]);
    work = await mkdtemp(join(tmpdir(), 'iios-update-boot-'));
    await mkdir(logDir, { recursive: true });
  }, 3_600_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function boot(disk: string, label: string): Promise<BootResult> {
    const r = await bootUntilReady({ disk, uefi: true, timeoutMs: BOOT_TIMEOUT_MS });
    await writeFile(join(logDir, `${label}.serial.log`), r.serial);
    return r;
  }
  async function update(bundle: string): Promise<void> {
    const r = await iios(['update', stick, '--bundle', bundle, '--yes'], { timeoutMs: 600_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  }

  it('v1 → v2 boots slot b with version v2, boots=1, then boots=2 with its entry blessed', async () => {
    stick = join(work, 'appliance.img');
    const w = await iios(['write', '--profile', 'appliance', '--bundle', b.v1, '--target', stick, '--size', '2G', '--name', 'field-01', '--yes']);
    expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    await update(b.v2);
    const first = await boot(stick, 'v2-1');
    expect(first.ready, first.serial.slice(-3000)).toEqual({ slot: 'b', mode: 'ab', verity: 'ok', boots: '1', hostname: 'field-01', version: ver.v2 });
    expect(await espDir(stick, '/loader/entries')).toContain('/loader/entries/iios-b.conf');
    const second = await boot(stick, 'v2-2');
    expect(second.ready, second.serial.slice(-3000)).toMatchObject({ slot: 'b', boots: '2', version: ver.v2 });
    const shown = (await iios(['inspect', stick])).stdout;
    expect(shown).toMatch(/^b\s+iios-demo\s+2026\.12\.1\s+\S+\s+active$/m);
    expect(shown).toMatch(/^a\s+iios-demo\s+\S+\s+\S+\s+fallback$/m);
  }, 1_800_000);

  it('→ v3 goes into slot a and boots it', async () => {
    await update(b.v3);
    const r = await boot(stick, 'v3-1');
    expect(r.ready, r.serial.slice(-3000)).toMatchObject({ slot: 'a', verity: 'ok', boots: '1', version: ver.v3 });
  }, 1_800_000);

  it('→ v4 with its slot corrupted after writing falls back to v3; inspect marks the slot bad', async () => {
    await update(b.v4);
    const part = (await gptParts(stick)).find((p) => p.name === 'iios-root-b')!;
    const bytes = (await readStamp(stick)).slots.b as unknown as { rootfsBytes: number; version: string };
    expect(bytes.version).toBe(ver.v4);
    const fh = await open(stick, 'r+');
    try {
      const at = part.start + Math.floor(bytes.rootfsBytes / 2);
      const one = Buffer.alloc(1);
      await fh.read(one, 0, 1, at);
      one[0] = one[0]! ^ 0x5a;
      await fh.write(one, 0, 1, at);
    } finally {
      await fh.close();
    }
    const r = await boot(stick, 'v4-corrupt');
    expect(r.serial).toMatch(/slot b refused: verity-mismatch/);
    expect(r.ready, r.serial.slice(-3000)).toMatchObject({ slot: 'a', verity: 'ok', version: ver.v3 });
    const shown = (await iios(['inspect', stick])).stdout;
    expect(shown).toMatch(/^b\s+iios-demo\s+2026\.12\.3\s+\S+\s+bad$/m);
    expect(shown).toMatch(/slot B: 2026\.12\.3 bad \(failed to boot; the stick boots A\)/);
  }, 1_800_000);

  it('a kiosk payload replaced with iios payload is what the booted system sees', async () => {
    const kiosk = join(work, 'kiosk.img');
    const first = join(work, 'piece.html');
    await writeFile(first, '<h1>first</h1>\n');
    const w = await iios(['write', '--profile', 'kiosk', '--bundle', b.v1, '--target', kiosk, '--size', '2G', '--name', 'kiosk-01', '--payload', first, '--yes']);
    expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    const newer = join(work, 'menu-2027.html');
    await writeFile(newer, '<h1>second</h1>\n');
    const p = await iios(['payload', kiosk, '--file', newer, '--yes']);
    expect(p.exitCode, p.stdout + p.stderr).toBe(0);
    expect((await readStamp(kiosk)).payload).toEqual([{ path: '/menu-2027.html', sha256: expect.any(String), sizeBytes: 16 }]);
    const r = await boot(kiosk, 'kiosk-payload');
    expect(r.ready, r.serial.slice(-3000)).toMatchObject({ slot: 'a', verity: 'ok', hostname: 'kiosk-01' });
    expect(r.serial).toMatch(/payload files: menu-2027\.html \r?\n/);
  }, 1_800_000);
});
