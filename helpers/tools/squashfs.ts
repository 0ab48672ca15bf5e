// unsquashfs: unpack a squashfs image into a directory (the classroom profile's writable system), or list it.
import { run, type RunOptions } from './run.ts';

/** `unsquashfs -lls`: every entry with its size, read from the inode table only (nothing is decompressed). */
export async function unsquashListing(image: string, opts: RunOptions = {}): Promise<string> {
  return (await run('unsquashfs', ['-lls', '-no-progress', image], opts)).stdout;
}

export async function unsquash(image: string, destDir: string, opts: RunOptions = {}): Promise<void> {
  // -f: the destination exists already (it is the Btrfs subvolume); -no-progress keeps stderr small.
  await run('unsquashfs', ['-f', '-no-progress', '-d', destDir, image], opts);
}
