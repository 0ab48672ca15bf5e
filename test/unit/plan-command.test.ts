// `iios plan`: the table a person reads, the JSON a script reads, and the refusals (too small, no bundle,
// bad arguments) with a non-zero exit.
import { execa } from 'execa';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { planCommand, rawStepWords } from '../../src-main/cli/commands/plan.ts';
import { computePlan } from '../../src-main/services/sources/plans.ts';
import type { CommandIO } from '../../src-main/cli/command.ts';
import { planSourceWords } from '../../src-shared/format/plan-source-words.ts';
import { errorWords } from '../../src-shared/errors/error-words.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { PlanSourceSaidSchema, type PlanSourceSaid } from '../../src-shared/layout/plan-source.ts';
import { englishIn } from '../support/untranslated.ts';

afterEach(() => setLocale('en'));

/** One source of each kind, with the paths, names and numbers the services send. */
const SOURCES: PlanSourceSaid[] = [
  { kind: 'image-bytes', bytes: 4_000_000_000 },
  { kind: 'image', path: '/srv/lab.img.xz', bytes: 4_000_000_000 },
  { kind: 'bundle', dir: '/srv/bundles/lab-2.1', name: 'lab', version: '2.1' },
  { kind: 'nominal', bytes: 300_000_000 },
  { kind: 'demo', dir: '/opt/iios/demo', name: 'iios-demo', version: '2026.11.1' },
];

describe('what `iios plan` computed for, in a German terminal', () => {
  it('the table covers every kind', () => expect(new Set(SOURCES.map((s) => s.kind))).toEqual(new Set(PlanSourceSaidSchema.options.map((o) => o.shape.kind.value))));

  it.each(SOURCES.map((s) => [s.kind, s] as const))('%s: said in German with no English left', (_, source) => {
    setLocale('de');
    const text = planSourceWords(source);
    expect(englishIn([text.replace(/\b(lab|iios-demo)\b/g, '…')]), text).toEqual([]);
  });

  it('a plan not told what to plan for: typed, said in German', async () => {
    setLocale('de');
    const err = await run({ profile: 'raw', size: '16G' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ details: { kind: 'plan-input', reason: 'raw-needs-image' } });
    const text = errorWords(err);
    expect(text).toBe('das Profil raw braucht ein Laufwerksabbild: geben Sie --image DATEI an (oder --image-size)');
    expect(englishIn([text.replace(/--[a-z-]+/g, '…')]), text).toEqual([]);
  });

  it('a raw plan’s writer steps: the plan’s own English in English, German with no English left in German', async () => {
    const raw = await run({ profile: 'raw', 'image-size': '4000000000', size: '16G', persistence: true });
    expect(raw.code).toBe(0);
    const plan = (await computePlan({ profile: 'raw', imageBytes: 4_000_000_000, targetBytes: 16 * 1024 ** 3, persistence: true })).plan;
    expect(plan.rawSteps).toHaveLength(4);
    for (const s of plan.rawSteps!) expect(rawStepWords(s, plan)).toBe(s.description);
    setLocale('de');
    const lines = (await run({ profile: 'raw', 'image-size': '4000000000', size: '16G', persistence: true })).out.split('\n');
    const steps = lines.filter((l) => /^ {2}\d\. /.test(l)).map((l) => l.replace(/^ {2}\d\. [a-z-]+: /, ''));
    expect(steps).toHaveLength(4);
    // partition names, filesystems and the sfdisk line a step quotes are data
    const data = (l: string) => l.replace(/sfdisk --append .*\)$/, '…)').replace(/\b(iios-data|btrfs|ext4|GPT|MBR|LBA)\b/g, '…');
    expect(englishIn(steps.map(data)), steps.join('\n')).toEqual([]);
  });

  it('the "for …" line of a real plan', async () => {
    setLocale('de');
    const { code, out } = await run({ profile: 'appliance', 'rootfs-size': '300000000', size: '16G' });
    expect(code).toBe(0);
    expect(out.split('\n')[1]).toBe('für ein angenommenes squashfs-Root von 300.000.000 Bytes');
  });
});

async function run(args: Record<string, unknown>): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  const io = { stdout, stderr: new PassThrough(), stdin: new PassThrough() } as unknown as CommandIO;
  const code = await planCommand.run({ values: args, positionals: [] }, io);
  return { code, out };
}

describe('iios plan', () => {
  it('prints the appliance plan of a nominal 300,000,000-byte root on 16 GiB as a table', async () => {
    const { code, out } = await run({ profile: 'appliance', 'rootfs-size': '300000000', size: '16G' });
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toBe('appliance profile on 17.2 GB (17,179,869,184 bytes), 512-byte sectors');
    expect(lines[1]).toBe('for a nominal squashfs root of 300,000,000 bytes');
    // 2259 MiB + 33 sectors of backup GPT
    expect(lines[2]).toBe('usable LBA 34..33554398; this profile needs at least 2.4 GB (2,368,750,080 bytes)');
    const rows = lines.filter((l) => /^\d\s/.test(l)).map((l) => l.trim().split(/\s{2,}/));
    expect(rows.map((r) => [r[0], r[1], r[2], r[3]])).toEqual([
      ['1', 'IIOS-ESP', '2048', '1050623'],
      // the slots get the 1 GiB they prefer (the stick has the room), their verity partitions 9 MiB
      ['2', 'iios-root-a', '1050624', '3147775'],
      ['3', 'iios-verity-a', '3147776', '3166207'],
      ['4', 'iios-root-b', '3166208', '5263359'],
      ['5', 'iios-verity-b', '5263360', '5281791'],
      ['6', 'iios-data', '5281792', '33552383'],
    ]);
    expect(rows[2]!.at(-1)).toBe('read-only (bit 60)');
    expect(lines.at(-2)).toBe('Each system slot holds 1.1 GB: updates up to that size fit without writing the stick again.');
  });

  it('prints exactly { diskBytes, sectorSize, partitions: [{ name, typeGuid, startBytes, sizeBytes, readOnly }] } with --json', async () => {
    const { out } = await run({ profile: 'classroom', 'rootfs-size': '300000000', size: '4G', 'sector-size': '4096', json: true });
    expect(JSON.parse(out)).toEqual({
      diskBytes: 4 * 2 ** 30,
      sectorSize: 4096,
      partitions: [
        { name: 'IIOS-ESP', typeGuid: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b', startBytes: 2 ** 20, sizeBytes: 512 * 2 ** 20, readOnly: false },
        { name: 'iios-system', typeGuid: '4f68bce3-e8cd-4db1-96e7-fbcaf984b709', startBytes: 513 * 2 ** 20, sizeBytes: (4095 - 513) * 2 ** 20, readOnly: false },
      ],
    });
  });

  it.each([
    [{ 'rootfs-size': '1G', size: '16G' }, '--profile is required'],
    [{ profile: 'kiosk', 'rootfs-size': '1G' }, '--size is required (e.g. --size 16G)'],
    [{ profile: 'kiosk', 'rootfs-size': '1G', size: '12 parsecs' }, '--size: "12 parsecs" is not a size (e.g. 16G, 7.5G, 512M)'],
    [{ profile: 'kiosk', 'rootfs-size': '1G', size: '16G', 'sector-size': '1024' }, '--sector-size must be 512 or 4096'],
    [{ profile: 'raw', size: '16G' }, 'the raw profile needs a disk image: give --image FILE (or --image-size)'],
  ])('refuses %j', async (args, message) => {
    await expect(run(args)).rejects.toThrow(message);
  });

  it('exits non-zero with the needed size when the target is too small (as a subprocess)', async () => {
    const r = await execa('node', ['src-main/cli/iios.mjs', 'plan', '--profile', 'appliance', '--rootfs-size', '300000000', '--size', '2G'], {
      reject: false,
      env: { IIOS_FROM_SOURCE: '1' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe('iios plan: target is 2.1 GB but the appliance profile needs at least 2.4 GB (2,368,750,080 bytes)');
  });

  it('without --bundle: the demo bundle when it exists, else a clear error', async () => {
    // an app root of its own (IIOS_ROOT) with the real profiles and, second time round, a demo bundle manifest
    const root = await mkdtemp(join(tmpdir(), 'iios-root-'));
    try {
      await mkdir(join(root, 'resources'));
      await symlink(resolve('resources/profiles'), join(root, 'resources/profiles'));
      const plan = (extra: string[] = []) =>
        execa('node', ['src-main/cli/iios.mjs', 'plan', '--profile', 'kiosk', '--size', '8G', ...extra], {
          reject: false,
          env: { IIOS_FROM_SOURCE: '1', IIOS_ROOT: root },
        });
      const missing = await plan();
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr.trim()).toBe('iios plan: no bundle: give --bundle DIR or --rootfs-size SIZE (or build the demo bundle: npm run build:demo)');

      const demo = join(root, '.cache/demo-os/bundle');
      await mkdir(demo, { recursive: true });
      const file = (n: string, size: number) => [n, { sha256: n.length.toString(16).padStart(64, '0'), sizeBytes: size }];
      await writeFile(join(demo, 'manifest.json'), JSON.stringify({
        format: 1, name: 'iios-demo', version: '2026.11.1', arch: 'x86_64', kernel: 'vmlinuz', initrd: 'initrd.img',
        cmdline: 'console=ttyS0,115200', bootloader: 'systemd-bootx64.efi',
        rootfs: { kind: 'squashfs', file: 'root.squashfs', sizeBytes: 100 * 2 ** 20 },
        verity: { hashFile: 'root.verity', rootHash: 'a'.repeat(64), salt: 'ab', dataBlockSize: 4096, hashBlockSize: 4096, hashAlgorithm: 'sha256', sizeBytes: 827392 },
        files: Object.fromEntries([file('vmlinuz', 8e6), file('initrd.img', 7e6), file('systemd-bootx64.efi', 140891), file('root.squashfs', 100 * 2 ** 20), file('root.verity', 827392)]),
      }));
      const found = await plan(['--json']);
      expect(found.exitCode).toBe(0);
      // root "fit + 10%" of 100 MiB = 110 MiB; verity 827,392 B + 10% -> 1 MiB; after the 256 MiB ESP at 1 MiB
      expect((JSON.parse(found.stdout) as { partitions: { name: string; startBytes: number; sizeBytes: number }[] }).partitions.slice(1, 4)).toEqual([
        expect.objectContaining({ name: 'iios-root-a', startBytes: 257 * 2 ** 20, sizeBytes: 110 * 2 ** 20 }),
        expect.objectContaining({ name: 'iios-verity-a', startBytes: 367 * 2 ** 20, sizeBytes: 2 ** 20 }),
        expect.objectContaining({ name: 'iios-payload', startBytes: 368 * 2 ** 20, sizeBytes: 32 * 2 ** 20 }),
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
