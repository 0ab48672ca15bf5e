// Realistic inputs for the wizard's component tests: drives as the drive service reports them, a job snapshot's type.
import type { Drive } from '../../../../src-shared/contract/index.ts';
import type { z } from 'zod';
import type { JobSnapshotSchema } from '../../../../src-shared/contract/domains/jobs.ts';

const GB = 1000 ** 3;

export function drive(partial: Partial<Drive> & { device: string }): Drive {
  return {
    id: partial.device,
    devicePath: null,
    description: 'SanDisk Ultra',
    sizeBytes: 32 * GB,
    logicalBlockSize: 512,
    physicalBlockSize: 512,
    busType: 'USB',
    removable: true,
    readOnly: false,
    system: false,
    virtual: false,
    usb: true,
    card: false,
    backingFile: null,
    mountpoints: [],
    partitionTableType: null,
    ...partial,
  };
}

export const systemDisk = drive({ device: '/dev/nvme0n1', description: 'Samsung SSD 980', sizeBytes: 512 * GB, busType: 'NVME', removable: false, usb: false, system: true, mountpoints: [{ path: '/', label: null }] });
export const stick = drive({ device: '/dev/sdb', description: 'SanDisk Ultra', sizeBytes: 32 * GB });
export const tinyStick = drive({ device: '/dev/sdc', description: 'Kingston DT 1GB', sizeBytes: 1 * GB });
export const lockedCard = drive({ device: '/dev/sdd', description: 'SD card reader', sizeBytes: 16 * GB, readOnly: true, card: true });
export const bigDisk = drive({ device: '/dev/sde', description: 'WD Elements', sizeBytes: 2000 * GB, mountpoints: [{ path: '/media/teacher/WD', label: 'WD' }] });
export const loop = drive({
  device: '/dev/loop7',
  description: 'Loop device',
  sizeBytes: 8 * GB,
  busType: 'LOOP',
  removable: false,
  usb: false,
  virtual: true,
  backingFile: '/tmp/iios-test.img',
});

export type Snapshot = z.input<typeof JobSnapshotSchema>;
export type SnapshotTarget = Snapshot['targets'][number];
