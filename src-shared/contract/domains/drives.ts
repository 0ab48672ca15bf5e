// Domain "drives": the block devices iios could write to, and ejecting one.
import * as z from 'zod';
import { event, invoke, noArgs } from '../define.ts';
import { IMAGE_FOLDER_CODES } from '../../drives/image-folder.ts';
import { ImageFolderNoticeSchema, ImageFolderProblemSchema } from '../../drives/rule-problems.ts';

export const DriveMountpoint = z.object({
  path: z.string(),
  label: z.string().nullable(),
});

export const Drive = z.object({
  /** Stable id for the session: the device path (/dev/sdb, /dev/loop3). */
  id: z.string().min(1),
  device: z.string().startsWith('/dev/'),
  /** /dev/disk/by-path link when one exists. */
  devicePath: z.string().nullable(),
  description: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  logicalBlockSize: z.number().int().positive(),
  physicalBlockSize: z.number().int().positive(),
  /** Transport as lsblk reports it, upper-case: USB, SATA, NVME, LOOP, UNKNOWN… */
  busType: z.string(),
  removable: z.boolean(),
  readOnly: z.boolean(),
  /** Holds the running system (/, /boot, /boot/efi, swap) or is reported as internal/system. */
  system: z.boolean(),
  /** Not a physical disk: loop devices (image files), RAM or virtual block devices. */
  virtual: z.boolean(),
  usb: z.boolean(),
  card: z.boolean(),
  /** For a loop device: the file behind it. */
  backingFile: z.string().nullable(),
  mountpoints: z.array(DriveMountpoint),
  partitionTableType: z.enum(['gpt', 'mbr']).nullable(),
  /** What the stick says it is (lsblk VENDOR, MODEL, SERIAL): two identical sticks differ by serial or port. */
  vendor: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
  serial: z.string().nullable().optional(),
});
export type Drive = z.infer<typeof Drive>;

export const DriveList = z.array(Drive);

/** The most characters a port's name has (it shows in a drive's row). */
export const PORT_LABEL_MAX = 40;
/** The names the user gave the places sticks are plugged in, by place key (src-shared/drives/usb-port.ts). */
export const PortLabels = z.record(z.string(), z.string());
export type PortLabels = z.infer<typeof PortLabels>;
/** What drives.checkImageFolder says about an image-file target's folder (src-shared/drives/image-folder.ts). */
export const ImageFolderCheck = z.object({
  folder: z.string(),
  code: z.enum(IMAGE_FOLDER_CODES),
  /** What stops the write, with what to do; null when nothing does. */
  problem: z.string().nullable(),
  /** Said without stopping anything (room for this write, not for the image's full size). */
  notice: z.string().nullable(),
  /** The problem and the notice typed: the GUI says them in its own language (src-shared/errors/rule-words.ts). */
  said: ImageFolderProblemSchema.nullable().optional(),
  noticeSaid: ImageFolderNoticeSchema.nullable().optional(),
  freeBytes: z.number().nonnegative().nullable(),
});
export type ImageFolderCheck = z.infer<typeof ImageFolderCheck>;

export const drivesInvoke = {
  'drives.list': invoke(noArgs, DriveList),
  /** Unmounts every filesystem of the drive and powers it off when the hardware allows it. */
  'drives.eject': invoke(
    z.strictObject({ id: z.string().startsWith('/dev/') }),
    /** `said`: what was done, in the words for that kind of device (a loop is not powered off, a card reader keeps its slot). */
    z.object({
      ejected: z.boolean(),
      said: z.string().optional(),
      /** What kind of device it was and how many filesystems were unmounted: the GUI says it in its own language. */
      kind: z.enum(['usb', 'card', 'loop', 'fixed']).optional(),
      unmounted: z.number().int().nonnegative().optional(),
    }),
  ),
  /** The names the user gave USB ports (and loop devices' files), kept in ~/.config/iios/port-labels.json. */
  'drives.portLabels': invoke(noArgs, PortLabels),
  /** Names a place (label null or empty: forgets its name); answers every name after the change. */
  'drives.setPortLabel': invoke(z.strictObject({ key: z.string().min(1).max(512), label: z.string().max(PORT_LABEL_MAX).nullable() }), PortLabels),
  /** Unmounts every filesystem of the drive (so it can be chosen as a target); nothing else. */
  /**
   * Whether an image file can be made at `path`: its folder exists, is a folder, the user may write in it, and
   * its filesystem has room for `writeBytes` (the least the job writes into the sparse file) — and whether for
   * the whole `sizeBytes`. Asked by the targets step as the path is typed.
   */
  'drives.checkImageFolder': invoke(
    z.strictObject({ path: z.string().startsWith('/'), sizeBytes: z.number().int().positive(), writeBytes: z.number().int().nonnegative().optional() }),
    ImageFolderCheck,
  ),
  'drives.unmount': invoke(z.strictObject({ id: z.string().startsWith('/dev/') }), z.object({ unmounted: z.array(z.string()) })),
};

export const drivesEvents = {
  /** The whole current list, pushed only when it differs from the previous one. */
  'drives.changed': event(z.object({ drives: DriveList })),
};
