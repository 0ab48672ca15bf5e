// The whole disk holding /, found independently of iios (findmnt + lsblk's parent kernel name). Null when / is
// not on a block device (a container's overlay, a tmpfs live system): tests about the system disk then skip,
// because there is no disk for iios to mark.
import { execa } from 'execa';

export async function systemDisk(): Promise<string | null> {
  const source = (await execa('findmnt', ['-n', '-o', 'SOURCE', '/'])).stdout.trim().replace(/\[.*\]$/, '');
  if (!source.startsWith('/dev/')) return null;
  const parent = (await execa('lsblk', ['-n', '-d', '-o', 'PKNAME', source], { reject: false })).stdout.trim();
  return parent ? `/dev/${parent}` : source;
}
