// An OCI image layout read as iios unpacks it: index -> manifest (the host's architecture where the index lists
// several) -> config and layers, every JSON blob checked against its digest. What the layers hold is applied by
// oci-layer-applier.ts; the blobs are unpacked by oci-layers.ts.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';

export class LayerError extends Error {
  override name = 'LayerError';
}

const descriptorSchema = z.object({
  mediaType: z.string().optional(),
  digest: z.string(),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: z.object({ architecture: z.string(), os: z.string(), variant: z.string().optional() }).optional(),
});
type Descriptor = z.infer<typeof descriptorSchema>;
const indexSchema = z.object({ mediaType: z.string().optional(), manifests: z.array(descriptorSchema) });
const manifestSchema = z.object({ mediaType: z.string().optional(), config: descriptorSchema, layers: z.array(descriptorSchema) });
const configSchema = z.object({ rootfs: z.object({ type: z.string(), diff_ids: z.array(z.string()) }) });

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const REF_NAME = 'org.opencontainers.image.ref.name';

export interface OciLayer {
  digest: string;
  size: number;
  mediaType: string;
  /** sha256 of the uncompressed tar, from the config */
  diffId: string;
}

export function blobPath(layout: string, digest: string): string {
  const m = /^(sha256|sha512):([0-9a-f]+)$/.exec(digest);
  if (!m || m[2]!.length !== (m[1] === 'sha256' ? 64 : 128)) throw new LayerError(`"${digest}" is not a digest`);
  return join(layout, 'blobs', m[1]!, m[2]!);
}

async function readJsonBlob(layout: string, d: Descriptor): Promise<unknown> {
  const bytes = await readFile(blobPath(layout, d.digest)).catch(() => {
    throw new LayerError(`the image layout lacks blob ${d.digest}`);
  });
  const [alg] = d.digest.split(':');
  if (bytes.length !== d.size || `${alg}:${createHash(alg!).update(bytes).digest('hex')}` !== d.digest) {
    throw new LayerError(`blob ${d.digest} does not match its digest or size`);
  }
  return JSON.parse(bytes.toString('utf8'));
}

function hostArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[process.arch] ?? process.arch;
}

/** The layers of image `ref` (or of the layout's only image) of the OCI layout in `layout`, lowest first. */
export async function readOciImage(layout: string, ref?: string): Promise<OciLayer[]> {
  const indexText = await readFile(join(layout, 'index.json'), 'utf8').catch(() => {
    throw new LayerError(`${layout} is not an OCI image layout (no index.json)`);
  });
  const index = indexSchema.parse(JSON.parse(indexText));
  let chosen: Descriptor[] = ref ? index.manifests.filter((m) => m.annotations?.[REF_NAME] === ref) : index.manifests;
  if (chosen.length !== 1) {
    const names = index.manifests.map((m) => m.annotations?.[REF_NAME] ?? m.digest).join(', ');
    throw new LayerError(ref ? `the image layout has no single image "${ref}" (it has: ${names || 'none'})` : `the image layout holds ${index.manifests.length} images (${names}): name one`);
  }
  let d = chosen[0]!;
  for (let depth = 0; INDEX_TYPES.includes(d.mediaType ?? ''); depth++) {
    if (depth > 4) throw new LayerError('image indexes nested too deep');
    const nested = indexSchema.parse(await readJsonBlob(layout, d));
    chosen = nested.manifests.filter((m) => m.platform?.os === 'linux' && m.platform.architecture === hostArch());
    if (chosen.length === 0) throw new LayerError(`the image has no linux/${hostArch()} variant`);
    d = chosen[0]!;
  }
  const manifest = manifestSchema.parse(await readJsonBlob(layout, d));
  const config = configSchema.parse(await readJsonBlob(layout, manifest.config));
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new LayerError(`the image config names ${config.rootfs.diff_ids.length} layers, its manifest ${manifest.layers.length}`);
  }
  return manifest.layers.map((l, i) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType ?? '', diffId: config.rootfs.diff_ids[i]! }));
}
