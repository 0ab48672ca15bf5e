// The ESP: FAT32 labelled IIOS-ESP (mkfs.vfat --offset straight on the disk or image: no mount, no loop),
// filled with mtools: systemd-boot as the fallback loader, loader.conf, one entry per slot (and a writable
// system's reset-to-factory entries), kernels and initrds per slot, and the stamp with complete:false.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileSlots } from '../../src-shared/profile/profile-schema.ts';
import type { TargetCtx } from '../context.ts';
import type { BundleSource } from '../source.ts';
import { mkfsVfatAt } from '../tools/mkfs.ts';
import { fatCopyIn, fatMkdirs, type FatVolume } from '../tools/mtools.ts';
import { bootEntry, entryFileName, loaderConf, resetEntries, type Slot } from './boot-entries.ts';

export const ESP_LABEL = 'IIOS-ESP';

/**
 * Sectors per cluster for FAT32 on `bytes`: at most 4 KiB clusters, but small enough that the volume keeps
 * well over the 65525 clusters FAT32 needs (else firmware and mtools take it for FAT16).
 */
export function fat32SectorsPerCluster(bytes: number, sector: number): number {
  let spc = Math.max(1, 4096 / sector);
  while (spc > 1 && bytes / (sector * spc) < 70_000) spc /= 2;
  return spc;
}

/** FAT (FAT32 unless told otherwise) straight on the disk or image at the partition's offset (no loop device, no mount). */
export async function mkfsFatAt(ctx: TargetCtx, startBytes: number, sizeBytes: number, label: string, fat32 = true): Promise<void> {
  const sector = ctx.plan.sectorSize;
  const spc = fat32 ? fat32SectorsPerCluster(sizeBytes, sector) : null;
  await mkfsVfatAt(ctx.disk, { label, sectorSize: sector, offsetSectors: startBytes / sector, kib: Math.floor(sizeBytes / 1024), fat32SectorsPerCluster: spc }, { signal: ctx.signal });
}

export async function mkfsEsp(ctx: TargetCtx): Promise<FatVolume> {
  const esp = ctx.mustPart('esp');
  await mkfsFatAt(ctx, esp.startBytes, esp.sizeBytes, ESP_LABEL);
  return { disk: ctx.disk, offset: esp.startBytes };
}

/** The files the ESP gets: FAT path → local file, and the sha256 of each for the stamp. */
export async function espContent(ctx: TargetCtx, bundle: BundleSource, workDir: string): Promise<{ files: [string, string][]; sha: Record<string, string> }> {
  const m = bundle.manifest;
  const slots = profileSlots(ctx.profile) as Slot[];
  const writable = slots.includes('system');
  const kiosk = ctx.plan.partitions.some((p) => p.role === 'payload');
  const files: [string, string][] = [];
  const sha: Record<string, string> = {};
  const fileSha = (name: string) => m.files[name]!.sha256;
  files.push(['/EFI/BOOT/BOOTX64.EFI', bundle.files[m.bootloader]!]);
  sha['/EFI/BOOT/BOOTX64.EFI'] = fileSha(m.bootloader);
  const text = async (fatPath: string, content: string) => {
    const local = join(workDir, fatPath.replaceAll('/', '_'));
    await writeFile(local, content);
    files.push([fatPath, local]);
    sha[fatPath] = createHash('sha256').update(content).digest('hex');
  };
  await text('/loader/loader.conf', loaderConf(writable));
  for (const slot of slots) {
    await text(`/loader/entries/${entryFileName(slot)}`, bootEntry(m, slot, { kiosk }));
    files.push([`/iios/${slot}/vmlinuz`, bundle.files[m.kernel]!], [`/iios/${slot}/initrd.img`, bundle.files[m.initrd]!]);
    sha[`/iios/${slot}/vmlinuz`] = fileSha(m.kernel);
    sha[`/iios/${slot}/initrd.img`] = fileSha(m.initrd);
  }
  if (writable) for (const [name, content] of resetEntries(m)) await text(`/loader/entries/${name}`, content);
  return { files, sha };
}

export async function esp(ctx: TargetCtx, bundle: BundleSource): Promise<Record<string, string>> {
  ctx.enter('esp');
  const vol = await mkfsEsp(ctx);
  const workDir = await mkdtemp(join(tmpdir(), 'iios-esp-'));
  try {
    const { files, sha } = await espContent(ctx, bundle, workDir);
    const dirs = new Set(files.map(([p]) => p.slice(0, p.lastIndexOf('/'))));
    dirs.add('/iios');
    await fatMkdirs(vol, [...dirs], { signal: ctx.signal });
    for (const [fatPath, local] of files) await fatCopyIn(vol, local, fatPath, { signal: ctx.signal });
    return sha;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
