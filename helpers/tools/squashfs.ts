// unsquashfs: unpack a squashfs image into a directory (the classroom profile's writable system).
import { run, type RunOptions } from './run.ts';

export async function unsquash(image: string, destDir: string, opts: RunOptions = {}): Promise<void> {
  // -f: the destination exists already (it is the Btrfs subvolume); -no-progress keeps stderr small.
  await run('unsquashfs', ['-f', '-no-progress', '-d', destDir, image], opts);
}
