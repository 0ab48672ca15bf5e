// The bundle's root image (squashfs or erofs) of a staged tree, and its dm-verity hash tree. Owners, modes,
// xattrs (file capabilities among them) are kept; timestamps are the tree's own.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { runTool } from '../run-tool.ts';

export type RootImageKind = 'squashfs' | 'erofs';

export async function makeRootImage(tree: string, kind: RootImageKind, out: string, signal?: AbortSignal): Promise<void> {
  const opts = signal ? { signal } : {};
  if (kind === 'squashfs') {
    await runTool('mksquashfs', [tree, out, '-noappend', '-comp', 'zstd', '-xattrs', '-no-progress', '-quiet'], opts);
  } else {
    await runTool('mkfs.erofs', ['-zlz4hc', out, tree], opts);
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface VerityTree {
  rootHash: string;
  salt: string;
}

/** veritysetup format with a salt derived from the image (same image, same root hash), then a full verify. */
export async function makeVerity(image: string, hashFile: string, signal?: AbortSignal): Promise<VerityTree> {
  const opts = signal ? { signal } : {};
  const salt = await sha256File(image);
  const { stdout } = await runTool(
    'veritysetup',
    ['format', '--data-block-size=4096', '--hash-block-size=4096', '--hash=sha256', `--salt=${salt}`, image, hashFile],
    opts,
  );
  const rootHash = /^Root hash:\s+([0-9a-f]{64})$/m.exec(stdout)?.[1];
  if (!rootHash) throw new Error('veritysetup format gave no root hash');
  await runTool('veritysetup', ['verify', image, hashFile, rootHash], opts);
  return { rootHash, salt };
}
