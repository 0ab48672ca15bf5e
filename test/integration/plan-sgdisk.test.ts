// The plan applied by the writer's own writeGpt to a sparse file (512-byte sectors) and to a loop device with
// 4096-byte sectors, read back independently with sgdisk -i / -p / -v and sfdisk --json: no problem found, and
// names, type GUIDs, disk and unique GUIDs, starts, sizes, attribute bit 60 and the usable LBA range are what
// the plan says. `iios plan --json` run as a
// subprocess says the same. The raw profile's steps (sgdisk -e, then the new partition) run on a real image.
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planLayout, type PartitionPlan, type SectorSize } from '../../src-shared/layout/index.ts';
import { validateBundleManifest, type BundleManifest } from '../../src-shared/profile/index.ts';
import { loadProfile } from '../../src-main/services/sources/profiles.ts';
import { planSummary } from '../../src-main/services/sources/plans.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { addPartitionsAfterImage, firstFreeNumber, gptSummary, partitionInfo, readGptBack, verifyGpt, writeGpt } from '../../helpers/tools/sgdisk.ts';
import { checkPartition, plannedGptTable } from '../../helpers/steps/partition.ts';

const GiB = 1024 ** 3;

interface SfdiskTable {
  label: string;
  id: string;
  firstlba: number;
  lastlba: number;
  sectorsize: number;
  partitions: { node: string; start: number; size: number; type: string; uuid: string; name?: string; attrs?: string }[];
}

async function readBack(disk: string): Promise<SfdiskTable> {
  const { stdout } = await execa('sfdisk', ['--json', disk]);
  return (JSON.parse(stdout) as { partitiontable: SfdiskTable }).partitiontable;
}

interface SgdiskInfo {
  type: string;
  uuid: string;
  first: number;
  last: number;
  attrs: string;
  name: string;
}

/** `sgdisk -i N`, read here with its own patterns (not the writer's parser). */
async function sgdiskInfo(disk: string, index: number): Promise<SgdiskInfo> {
  const { stdout } = await execa('sgdisk', ['-i', String(index), disk]);
  const field = (label: string) => new RegExp(`^${label}: (.*)$`, 'm').exec(stdout)?.[1] ?? `<no ${label}>`;
  return {
    type: field('Partition GUID code').split(' ')[0]!.toLowerCase(),
    uuid: field('Partition unique GUID').toLowerCase(),
    first: Number(field('First sector').split(' ')[0]),
    last: Number(field('Last sector').split(' ')[0]),
    attrs: field('Attribute flags'),
    name: /^Partition name: '(.*)'$/m.exec(stdout)?.[1] ?? '<no name>',
  };
}

const attrsOf = (bits: readonly number[]) => bits.reduce((m, b) => m | (1n << BigInt(b)), 0n).toString(16).padStart(16, '0');

/** The writer's own writeGpt lays the plan out; sgdisk -v, sgdisk -i and sfdisk --json read it back. */
async function applyAndCheck(plan: PartitionPlan, disk: string): Promise<SfdiskTable> {
  const table = plannedGptTable(plan);
  await writeGpt(disk, table);
  const verify = await execa('sgdisk', ['-v', disk]);
  expect(verify.stdout).toContain('No problems found.');
  expect((await execa('sgdisk', ['-p', disk])).stdout).toMatch(new RegExp(`^Disk identifier \\(GUID\\): ${table.diskGuid}$`, 'im'));
  for (const p of plan.partitions) {
    expect(await sgdiskInfo(disk, p.index)).toEqual({
      type: p.typeGuid, uuid: table.partitions[p.index - 1]!.uniqueGuid, first: p.startLba, last: p.startLba + p.sizeLba - 1,
      attrs: attrsOf(p.attributes), name: p.name,
    });
    expect(attrsOf(p.attributes)).toBe(p.role.startsWith('verity-') ? '1000000000000000' : '0000000000000000');
  }
  const back = await readBack(disk);
  expect(back).toMatchObject({ label: 'gpt', sectorsize: plan.sectorSize, firstlba: plan.firstUsableLba, lastlba: plan.lastUsableLba });
  expect(back.id.toLowerCase()).toBe(table.diskGuid);
  expect(
    back.partitions.map((p) => ({ start: p.start, size: p.size, type: p.type.toLowerCase(), uuid: p.uuid.toLowerCase(), name: p.name, attrs: p.attrs })),
  ).toEqual(
    plan.partitions.map((p) => ({
      start: p.startLba, size: p.sizeLba, type: p.typeGuid, uuid: table.partitions[p.index - 1]!.uniqueGuid, name: p.name,
      attrs: p.attributes.length ? p.attributes.map((b) => `GUID:${b}`).join(' ') : undefined,
    })),
  );
  return back;
}

/** `iios plan … --json` as a user runs it. */
async function cliPlan(args: string[]): Promise<unknown> {
  const r = await execa('node', ['src-main/cli/iios.mjs', 'plan', ...args, '--json'], { env: { IIOS_FROM_SOURCE: '1' } });
  return JSON.parse(r.stdout);
}

/** The sfdisk read-back in the shape of `iios plan --json`. */
function summaryOf(table: SfdiskTable, diskBytes: number) {
  const ss = table.sectorsize;
  return {
    diskBytes,
    sectorSize: ss,
    partitions: table.partitions.map((p) => ({
      name: p.name, typeGuid: p.type.toLowerCase(), startBytes: p.start * ss, sizeBytes: p.size * ss, readOnly: (p.attrs ?? '').includes('GUID:60'),
    })),
  };
}

let work: string;
let bundle: TestBundle;
let manifest: BundleManifest;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-plan-sgdisk-'));
  bundle = await makeBundle({ randomBytes: 512 * 1024 });
  manifest = validateBundleManifest(bundle.manifest);
});
afterAll(async () => {
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(['classroom', 'appliance', 'kiosk'])('%s profile', (id) => {
  it.each([8_000_000_000, 16 * GiB])('512-byte sectors, sparse file of %i bytes: sgdisk agrees', async (diskBytes) => {
    const disk = join(work, `${id}-${diskBytes}.img`);
    await execa('truncate', ['-s', String(diskBytes), disk]);
    try {
      const plan = planLayout(await loadProfile(id), manifest, diskBytes, { sectorSize: 512, seed: `${id}/${diskBytes}` });
      const table = await applyAndCheck(plan, disk);
      if (diskBytes === 8_000_000_000) {
        const cli = await cliPlan(['--profile', id, '--bundle', bundle.dir, '--size', String(diskBytes)]);
        expect(cli).toEqual(planSummary(plan));
        expect(cli).toEqual(summaryOf(table, diskBytes));
      }
    } finally {
      await rm(disk, { force: true });
    }
  });

  it('4096-byte sectors on a loop device: sgdisk agrees', async () => {
    const diskBytes = 16 * GiB;
    const file = join(work, `${id}-4k.img`);
    await execa('truncate', ['-s', String(diskBytes), file]);
    const loop = (await execa('losetup', ['-f', '--show', '--sector-size', '4096', file])).stdout.trim();
    try {
      expect((await execa('blockdev', ['--getss', loop])).stdout.trim()).toBe('4096');
      const sectorSize: SectorSize = 4096;
      const plan = planLayout(await loadProfile(id), manifest, diskBytes, { sectorSize, seed: `${id}/4k` });
      const table = await applyAndCheck(plan, loop);
      const cli = await cliPlan(['--profile', id, '--bundle', bundle.dir, '--size', '16G', '--sector-size', '4096']);
      expect(cli).toEqual(planSummary(plan));
      expect(cli).toEqual(summaryOf(table, diskBytes));
    } finally {
      await execa('losetup', ['-d', loop]);
      await rm(file, { force: true });
    }
  });
});

describe('GUIDs and the read-back of the writer', () => {
  it('a job plan has no seed: each target gets its own random GUIDs, written and read back as chosen', async () => {
    const diskBytes = 8_000_000_000;
    const plan = planLayout(await loadProfile('appliance'), manifest, diskBytes, { sectorSize: 512 });
    expect(plan.diskGuid).toBeUndefined();
    const tables = [plannedGptTable(plan), plannedGptTable(plan)];
    const guids = tables.flatMap((t) => [t.diskGuid, ...t.partitions.map((p) => p.uniqueGuid)]);
    expect(new Set(guids).size).toBe(guids.length);
    const disk = join(work, 'random-guids.img');
    await execa('truncate', ['-s', String(diskBytes), disk]);
    try {
      await writeGpt(disk, tables[1]!);
      for (const p of tables[1]!.partitions) {
        expect((await sgdiskInfo(disk, p.index)).uuid).toBe(p.uniqueGuid);
        await checkPartition(disk, p);
      }
      expect((await readBack(disk)).id.toLowerCase()).toBe(tables[1]!.diskGuid);
    } finally {
      await rm(disk, { force: true });
    }
  });

  it('one sgdisk run reads the whole table back as the runs one by one do; a missing partition is null; a damaged backup table fails', async () => {
    const diskBytes = 8_000_000_000;
    const plan = planLayout(await loadProfile('appliance'), manifest, diskBytes, { sectorSize: 512, seed: 'one-run' });
    const table = plannedGptTable(plan);
    const indices = table.partitions.map((p) => p.index);
    const disk = join(work, 'one-run.img');
    await execa('truncate', ['-s', String(diskBytes), disk]);
    try {
      await writeGpt(disk, table);
      const missing = Math.max(...indices) + 1;
      const back = await readGptBack(disk, [...indices, missing]);
      expect(back.summary).toEqual(await gptSummary(disk));
      expect(back.summary.diskGuid).toBe(table.diskGuid);
      for (const i of indices) expect(back.partitions.get(i)).toEqual(await partitionInfo(disk, i));
      expect(back.partitions.get(missing)).toBeNull();
      // the backup header (the disk's last sector) zeroed: sgdisk -v still prints "No problems found" (it rebuilt it
      // in memory), but says "corrupt GPT" and "Backup header: ERROR": both read-backs must fail
      await execa('dd', ['if=/dev/zero', `of=${disk}`, 'bs=512', `seek=${diskBytes / 512 - 1}`, 'count=1', 'conv=notrunc', 'status=none']);
      await expect(readGptBack(disk, indices)).rejects.toThrow(/^sgdisk -v found problems on .*one-run\.img: .*(corrupt GPT|Backup header: ERROR)/);
      await expect(verifyGpt(disk)).rejects.toThrow(/corrupt GPT|Backup header: ERROR/);
    } finally {
      await rm(disk, { force: true });
    }
  });

  it('a partition changed after writing is refused, naming the field: planned vs found', async () => {
    const diskBytes = 8_000_000_000;
    const plan = planLayout(await loadProfile('appliance'), manifest, diskBytes, { sectorSize: 512, seed: 'tamper' });
    const table = plannedGptTable(plan);
    const verityA = table.partitions.find((p) => p.name === 'iios-verity-a')!;
    const disk = join(work, 'tamper.img');
    await execa('truncate', ['-s', String(diskBytes), disk]);
    try {
      await writeGpt(disk, table);
      await checkPartition(disk, verityA);
      await execa('sgdisk', ['-A', `${verityA.index}:clear:60`, '-A', `${verityA.index}:set:2`, disk]);
      await expect(checkPartition(disk, verityA)).rejects.toThrow(
        `partition ${verityA.index} (iios-verity-a) did not come out as planned: attributes planned 0x1000000000000000, found 0x0000000000000004`,
      );
      const other = '01234567-89ab-4cde-8f01-23456789abcd';
      await execa('sgdisk', ['-A', `${verityA.index}:clear:2`, '-A', `${verityA.index}:set:60`, '-u', `${verityA.index}:${other}`, disk]);
      await expect(checkPartition(disk, verityA)).rejects.toThrow(`unique GUID planned ${verityA.uniqueGuid}, found ${other}`);
      const dataP = table.partitions.find((p) => p.name === 'iios-data')!;
      await execa('sgdisk', ['-d', String(dataP.index), '-n', `${dataP.index}:${dataP.startLba}:${dataP.startLba + dataP.sizeLba - 2049}`, '-c', `${dataP.index}:iios-data`, '-t', `${dataP.index}:${dataP.typeGuid}`, '-u', `${dataP.index}:${dataP.uniqueGuid}`, disk]);
      await expect(checkPartition(disk, dataP)).rejects.toThrow(/did not come out as planned: last LBA planned \d+, found \d+$/);
    } finally {
      await rm(disk, { force: true });
    }
  });
});

describe('raw profile', () => {
  it('writes the image, relocates its GPT with sgdisk -e and adds iios-data behind it', async () => {
    // a 64 MiB bootc-style disk image with its own GPT: an ESP and a root filling the image
    const image = join(work, 'os.img');
    await execa('truncate', ['-s', '64M', image]);
    await execa('sgdisk', ['-o', '-n', '1:2048:+16M', '-t', '1:ef00', '-c', '1:EFI-SYSTEM', '-n', '2:0:0', '-t', '2:8304', '-c', '2:root', image]);
    const imageTable = await readBack(image);
    const diskBytes = 2 * GiB;
    const disk = join(work, 'raw-target.img');
    await execa('truncate', ['-s', String(diskBytes), disk]);
    let loop: string | null = null;
    try {
      const plan = planLayout(await loadProfile('raw'), { imageBytes: 64 * 1024 ** 2 }, diskBytes, { persistence: true });
      // step 1: the image as it is, from byte 0
      await execa('dd', [`if=${image}`, `of=${disk}`, 'bs=1M', 'conv=notrunc,sparse', 'status=none']);
      // steps 2 and 3 as the plan gives them
      for (const step of plan.rawSteps!.filter((s) => s.step === 'relocate-gpt' || s.step === 'add-partition')) {
        const [cmd, ...args] = step.argv!.map((a) => (a === '<disk>' ? disk : a));
        await execa(cmd!, args);
      }
      expect((await execa('sgdisk', ['-v', disk])).stdout).toContain('No problems found.');
      const table = await readBack(disk);
      const data = plan.partitions[1]!;
      expect(table.lastlba).toBe(plan.lastUsableLba);
      expect(table.partitions.slice(0, 2)).toEqual(imageTable.partitions.map((p) => ({ ...p, node: `${disk}${p.node.slice(image.length)}` })));
      expect(table.partitions[2]).toMatchObject({ start: data.startLba, size: data.sizeLba, type: data.typeGuid.toUpperCase(), name: 'iios-data' });
      expect(await cliPlan(['--profile', 'raw', '--image', image, '--size', '2G', '--persistence'])).toEqual(planSummary(plan));

      // step 4: the filesystem, on a loop device over the new partition's byte range
      const mkfs = plan.rawSteps!.find((s) => s.step === 'mkfs')!.argv!;
      loop = (await execa('losetup', ['-f', '--show', '-o', String(data.startBytes), '--sizelimit', String(data.sizeBytes), disk])).stdout.trim();
      await execa(mkfs[0]!, mkfs.slice(1).map((a) => (a === '<partition>' ? loop! : a)));
      expect((await execa('blkid', ['-o', 'export', loop])).stdout).toMatch(/LABEL=iios-data[\s\S]*TYPE=ext4/);
    } finally {
      if (loop) await execa('losetup', ['-d', loop]);
      await rm(disk, { force: true });
    }
  });

  it("the writer's addPartitionsAfterImage puts iios-data behind the image with its planned GUID", async () => {
    const image = join(work, 'os2.img');
    await execa('truncate', ['-s', '64M', image]);
    await execa('sgdisk', ['-o', '-n', '1:2048:+16M', '-t', '1:ef00', '-c', '1:EFI-SYSTEM', '-n', '2:0:0', '-t', '2:8304', '-c', '2:root', image]);
    const imageTable = await readBack(image);
    const diskBytes = 2 * GiB;
    const disk = join(work, 'raw-writer.img');
    await execa('truncate', ['-s', String(diskBytes), disk]);
    try {
      const plan = planLayout(await loadProfile('raw'), { imageBytes: 64 * 1024 ** 2 }, diskBytes, { persistence: true, seed: 'raw-writer' });
      const data = plan.partitions[1]!;
      expect(data.uniqueGuid).toMatch(/^[0-9a-f-]{36}$/);
      await execa('dd', [`if=${image}`, `of=${disk}`, 'bs=1M', 'conv=notrunc,sparse', 'status=none']);
      const index = firstFreeNumber(await gptSummary(disk));
      expect(index).toBe(3);
      const spec = { index, name: data.name, typeGuid: data.typeGuid, startLba: data.startLba, sizeLba: data.sizeLba, attributes: data.attributes, uniqueGuid: data.uniqueGuid! };
      await addPartitionsAfterImage(disk, [spec]);
      await checkPartition(disk, spec);
      expect((await execa('sgdisk', ['-v', disk])).stdout).toContain('No problems found.');
      expect(await sgdiskInfo(disk, 3)).toEqual({
        type: data.typeGuid, uuid: data.uniqueGuid, first: data.startLba, last: data.startLba + data.sizeLba - 1, attrs: '0000000000000000', name: 'iios-data',
      });
      const table = await readBack(disk);
      expect(table.lastlba).toBe(plan.lastUsableLba);
      expect(table.id).toBe(imageTable.id);
      expect(table.partitions.slice(0, 2)).toEqual(imageTable.partitions.map((p) => ({ ...p, node: `${disk}${p.node.slice(image.length)}` })));
    } finally {
      await rm(disk, { force: true });
    }
  });

  it('an MBR-only image gets iios-data with sfdisk --append at the planned sectors', async () => {
    const image = join(work, 'mbr.img');
    await execa('truncate', ['-s', '32M', image]);
    await execa('sfdisk', ['--quiet', image], { input: 'label: dos\nstart=2048, type=c, bootable\n' });
    const diskBytes = GiB;
    const disk = join(work, 'mbr-target.img');
    await execa('truncate', ['-s', String(diskBytes), disk]);
    try {
      const plan = planLayout(await loadProfile('raw'), { imageBytes: 32 * 1024 ** 2 }, diskBytes, { persistence: true });
      const data = plan.partitions[1]!;
      await execa('dd', [`if=${image}`, `of=${disk}`, 'bs=1M', 'conv=notrunc,sparse', 'status=none']);
      // the fallback named in the add-partition step
      const input = /sfdisk --append <disk> with "([^"]+)"/.exec(plan.rawSteps!.find((s) => s.step === 'add-partition')!.description)![1]!;
      await execa('sfdisk', ['--quiet', '--append', disk], { input: `${input}\n` });
      const table = await readBack(disk);
      expect(table.label).toBe('dos');
      expect(table.partitions.map((p) => [p.start, p.size, p.type])).toEqual([
        [2048, 32 * 2048 - 2048, 'c'],
        [data.startLba, data.sizeLba, '83'],
      ]);
    } finally {
      await rm(disk, { force: true });
    }
  });
});
