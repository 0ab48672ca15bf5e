// The ESP: FAT32 labelled IIOS-ESP (mkfs.vfat --offset straight on the disk or image: no mount, no loop),
// filled with mtools: systemd-boot as the fallback loader, loader.conf, one entry per slot, kernels and
// initrds per slot, and the stamp with complete:false.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profileSlots } from '../../src-shared/profile/image-profile.ts';
import type { TargetCtx } from '../context.ts';
import type { BundleSource } from '../source.ts';
import { run } from '../tools/run.ts';
import { fatCopyIn, fatMkdirs, type FatVolume } from '../tools/mtools.ts';
import { bootEntry, entryFileName, loaderConf, type Slot } from './boot-entries.ts';

export const ESP_LABEL = 'IIOS-ESP';

export async function mkfsEsp(ctx: TargetCtx): Promise<FatVolume> {
  const esp = ctx.mustPart('esp');
  const sector = ctx.plan.sectorSize;
  await run(
    'mkfs.vfat',
    ['-F', '32', '-n', ESP_LABEL, '-S', String(sector), `--offset=${esp.startBytes / sector}`, ctx.disk, String(Math.floor(esp.sizeBytes / 1024))],
    { signal: ctx.signal },
  );
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
