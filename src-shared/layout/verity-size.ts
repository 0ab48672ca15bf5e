// Size of a dm-verity hash file as `veritysetup format` writes it (with its superblock), for a nominal
// bundle that gives only the root image size (`iios plan --rootfs-size`). Mirrors cryptsetup's
// verity_hash.c: data blocks are whole blocks of the image; each tree level holds one digest per block
// below it; the superblock takes the first hash block.

export function verityHashBytes(dataBytes: number, dataBlockSize = 4096, hashBlockSize = 4096, digestBytes = 32): number {
  const dataBlocks = Math.floor(dataBytes / dataBlockSize);
  const perBlock = hashBlockSize / 2 ** Math.ceil(Math.log2(digestBytes));
  let hashBlocks = 0;
  for (let span = perBlock; dataBlocks > span / perBlock; span *= perBlock) {
    hashBlocks += Math.ceil(dataBlocks / span);
  }
  return (1 + hashBlocks) * hashBlockSize;
}
