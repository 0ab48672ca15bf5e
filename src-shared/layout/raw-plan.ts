// The raw profile: a disk image written as it is from byte 0 (its own partition table is inside it),
// optionally followed by a persistence partition in the free space behind it.
//
// How the writer adds the persistence partition (plan.rawSteps, in order):
//  1. write-image   – copy the (decompressed) image to the target from byte 0.
//  2. relocate-gpt  – `sgdisk -e <disk>`: the image's GPT still says the disk ends where the image
//                     ends (backup header at its last sector); -e moves the backup GPT to the end of
//                     the target and extends the last usable LBA, so the space behind the image
//                     becomes usable. An image with only an MBR (many ISOs) skips this step.
//  3. add-partition – `sgdisk -n 0:<start>:<end> -t 0:<type> -c 0:iios-data <disk>` (partition
//                     number 0 = the first free entry of the image's table); for an MBR-only image
//                     `sfdisk --append <disk>` with "start=<start>, size=<sizeLba>, type=83".
//  4. mkfs          – format the new partition (one loop device over its byte range).
// The image size must be the real, uncompressed size: if it was only estimated (e.g. a gzip trailer),
// the writer re-plans with the byte count it actually wrote before step 2.
import type { ImageProfile } from '../profile/profile-schema.ts';
import { parseSizeSpec } from '../profile/size-spec.ts';
import { ALIGNMENT_BYTES, MIN_BTRFS_BYTES, TYPE_GUIDS, alignDown, alignUp, type GptGeometry } from './gpt.ts';
import { finishPlan, uniqueGuid } from './plan-common.ts';
import { PlanError, TooSmallError, type PartitionPlan, type PlanOptions, type PlannedPartition, type RawImageSource, type RawPlanStep } from './plan-types.ts';

export function planRaw(
  profile: ImageProfile, source: RawImageSource, targetBytes: number, geo: GptGeometry, options: PlanOptions,
): PartitionPlan {
  const { imageBytes } = source;
  const sectorSize = geo.sectorSize;
  if (!Number.isSafeInteger(imageBytes) || imageBytes <= 0) throw new PlanError(`image size ${imageBytes} is not a positive number of bytes`, { reason: 'bad-value', what: 'image-size', value: String(imageBytes) });
  const settings = profile.raw?.persistence;
  const withPersistence = options.persistence ?? settings?.enabled ?? false;
  const image: PlannedPartition = {
    index: 0,
    role: 'raw-image',
    name: 'raw-image',
    typeGuid: TYPE_GUIDS.none,
    startLba: 0,
    sizeLba: Math.ceil(imageBytes / sectorSize),
    startBytes: 0,
    sizeBytes: imageBytes,
    readOnly: false,
    attributes: [],
    filesystem: 'raw',
    contentBytes: imageBytes,
  };
  const steps: RawPlanStep[] = [
    { step: 'write-image', description: `write the image from byte 0 as it is (${imageBytes} bytes); its own partition table comes with it` },
  ];
  if (!withPersistence || !settings) {
    const neededBytes = image.sizeLba * sectorSize;
    if (targetBytes < neededBytes) throw new TooSmallError(profile.id, targetBytes, neededBytes);
    return { ...finishPlan(profile.id, targetBytes, geo, neededBytes, [image], options), rawSteps: steps };
  }

  const start = alignUp(imageBytes);
  const sizeSpec = parseSizeSpec(settings.size);
  const minSpec = parseSizeSpec(settings.minSize);
  if (!sizeSpec || sizeSpec.kind === 'fit') throw new PlanError(`raw.persistence.size: "${settings.size}" must be absolute or "grow"`, { reason: 'profile-size', field: 'raw.persistence.size', text: settings.size });
  const grows = sizeSpec.kind === 'grow';
  const floor = settings.filesystem === 'btrfs' ? MIN_BTRFS_BYTES : ALIGNMENT_BYTES;
  const minBytes = alignUp(Math.max(grows ? (minSpec?.kind === 'absolute' ? minSpec.bytes : 0) : sizeSpec.bytes, floor));
  const neededBytes = start + minBytes + geo.backupBytes;
  if (targetBytes < neededBytes) throw new TooSmallError(profile.id, targetBytes, neededBytes);
  const size = grows ? alignDown((geo.lastUsableLba + 1) * sectorSize) - start : minBytes;

  const persistence: PlannedPartition = {
    index: 0,
    role: 'persistence',
    name: 'iios-data',
    typeGuid: TYPE_GUIDS.linuxData,
    startLba: start / sectorSize,
    sizeLba: size / sectorSize,
    startBytes: start,
    sizeBytes: size,
    readOnly: false,
    attributes: [],
    filesystem: settings.filesystem,
  };
  if (settings.btrfs) persistence.btrfs = structuredClone(settings.btrfs);
  const guid = uniqueGuid('persistence', options);
  if (guid) persistence.uniqueGuid = guid;
  const endLba = persistence.startLba + persistence.sizeLba - 1;
  const add = ['sgdisk', '-n', `0:${persistence.startLba}:${endLba}`, '-t', `0:${persistence.typeGuid}`, '-c', '0:iios-data'];
  if (guid) add.push('-u', `0:${guid}`);
  steps.push(
    {
      step: 'relocate-gpt',
      description: "move the image's backup GPT to the end of the target and extend its usable range (skip for an MBR-only image)",
      argv: ['sgdisk', '-e', '<disk>'],
    },
    {
      step: 'add-partition',
      description: `add iios-data at LBA ${persistence.startLba}..${endLba} as the first free entry (MBR-only image: sfdisk --append <disk> with "start=${persistence.startLba}, size=${persistence.sizeLba}, type=83")`,
      argv: [...add, '<disk>'],
    },
    {
      step: 'mkfs',
      description: `format iios-data as ${settings.filesystem}`,
      argv: settings.filesystem === 'btrfs' ? ['mkfs.btrfs', '-f', '-L', 'iios-data', '<partition>'] : ['mkfs.ext4', '-F', '-L', 'iios-data', '<partition>'],
    },
  );
  return { ...finishPlan(profile.id, targetBytes, geo, neededBytes, [image, persistence], options), rawSteps: steps };
}
