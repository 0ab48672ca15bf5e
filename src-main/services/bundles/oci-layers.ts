// iios's own OCI layer application: an OCI image layout (read by oci-image.ts) unpacked into a root folder, layer
// by layer in order (applied by oci-layer-applier.ts, whiteouts honoured, owners, modes, xattrs and links kept).
// Every blob is checked against its digest and size, and every layer's content against the config's diff_id.
// Entries are refused when their path or hard link target would leave the root (`..`, absolute, through a link
// climbing above it); links in parent folders are followed as if the root were /, so an absolute link
// (`/lib -> /usr/lib`) stays inside it. The tar streams are read by tar-reader.ts; gzip is Node's, zstd the
// `zstd` tool's.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { startTool } from '../run-tool.ts';
import { blobPath, LayerError, readOciImage, type OciLayer } from './oci-image.ts';
import { LayerApplier, type ApplyOptions } from './oci-layer-applier.ts';

function tap(hash: Hash, counter: { n: number }) {
  return async function* (src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const c of src) {
      hash.update(c);
      counter.n += c.length;
      yield c;
    }
  };
}

async function magicOf(path: string): Promise<'gzip' | 'zstd' | 'tar'> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && b.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'tar';
  } finally {
    await fh.close();
  }
}

/** Applies one layer blob (gzip, zstd or plain tar), checking its digest, size and uncompressed diff_id. */
export async function applyLayerBlob(applier: LayerApplier, layout: string, layer: OciLayer, signal?: AbortSignal): Promise<void> {
  const path = blobPath(layout, layer.digest);
  const kind = await magicOf(path).catch(() => {
    throw new LayerError(`the image layout lacks layer ${layer.digest}`);
  });
  const [alg] = layer.digest.split(':');
  const [diffAlg] = layer.diffId.split(':');
  if (!diffAlg || !['sha256', 'sha512'].includes(diffAlg)) throw new LayerError(`"${layer.diffId}" is not a diff_id`);
  const packed = createHash(alg!);
  const plain = createHash(diffAlg);
  const packedBytes = { n: 0 };
  const plainBytes = { n: 0 };
  const zstd = kind === 'zstd' ? startTool('zstd', ['-d', '-c', '-q'], { reject: true, stderr: 'pipe', ...(signal ? { cancelSignal: signal } : {}) }) : null;
  const steps = [
    createReadStream(path),
    tap(packed, packedBytes),
    ...(kind === 'gzip' ? [createGunzip()] : zstd ? [zstd.duplex()] : []),
    tap(plain, plainBytes),
    (src: AsyncIterable<Buffer>) => applier.applyTar(src),
  ] as const;
  try {
    await (pipeline as (...a: unknown[]) => Promise<void>)(...steps, ...(signal ? [{ signal }] : []));
  } catch (err) {
    if (err instanceof LayerError) throw new LayerError(`layer ${layer.digest.slice(0, 19)}: ${err.message}`);
    throw err;
  }
  if (packedBytes.n !== layer.size || `${alg}:${packed.digest('hex')}` !== layer.digest) {
    throw new LayerError(`layer ${layer.digest.slice(0, 19)} does not match its digest or size`);
  }
  if (`${diffAlg}:${plain.digest('hex')}` !== layer.diffId) {
    throw new LayerError(`layer ${layer.digest.slice(0, 19)}: its content does not match the config's diff_id ${layer.diffId.slice(0, 19)}`);
  }
}

/** Unpacks image `ref` of OCI layout `layout` into `root` (made if missing), lowest layer first. */
export async function unpackOciImage(layout: string, ref: string | undefined, root: string, opts: ApplyOptions = {}): Promise<void> {
  const layers = await readOciImage(layout, ref);
  await mkdir(root, { recursive: true, mode: 0o755 });
  const applier = new LayerApplier(root, opts);
  for (const [i, layer] of layers.entries()) {
    opts.log?.({ key: 'layer', n: i + 1, count: layers.length, digest: layer.digest.slice(0, 19), bytes: layer.size });
    await applyLayerBlob(applier, layout, layer, opts.signal);
  }
  const { skippedDevices } = await applier.finish();
  if (skippedDevices) opts.log?.({ key: 'devices-skipped', count: skippedDevices });
}
