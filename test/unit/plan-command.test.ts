// `iios plan`: the table a person reads, the JSON a script reads, and the refusals (too small, no bundle,
// bad arguments) with a non-zero exit.
import { execa } from 'execa';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { planCommand } from '../../src-main/cli/commands/plan.ts';
import type { CommandIO } from '../../src-main/cli/command.ts';

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
    expect(lines[0]).toBe('appliance profile on 16.0 GiB (17,179,869,184 bytes), 512-byte sectors');
    expect(lines[1]).toBe('for nominal squashfs root of 300000000 bytes');
    // 2259 MiB + 33 sectors of backup GPT
    expect(lines[2]).toBe('usable LBA 34..33554398; this profile needs at least 2.4 GB (2,368,750,080 bytes)');
    const rows = lines.filter((l) => /^\d\s/.test(l)).map((l) => l.trim().split(/\s{2,}/));
    expect(rows.map((r) => [r[0], r[1], r[2], r[3]])).toEqual([
      ['1', 'IIOS-ESP', '2048', '1050623'],
      ['2', 'iios-root-a', '1050624', '1783807'],
      ['3', 'iios-verity-a', '1783808', '1789951'],
      ['4', 'iios-root-b', '1789952', '2523135'],
      ['5', 'iios-verity-b', '2523136', '2529279'],
      ['6', 'iios-data', '2529280', '33552383'],
    ]);
    expect(rows[2]!.at(-1)).toBe('read-only (bit 60)');
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
});
