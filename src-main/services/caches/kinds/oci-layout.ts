// Reading and pruning the one OCI image layout a stick carries: which names point at which manifest, and the
// blobs no remaining image uses removed (skopeo 1.9 adds to a layout but never takes anything out of it).
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface Descriptor {
  mediaType?: string;
  digest: string;
  annotations?: Record<string, string>;
}
interface IndexJson {
  schemaVersion: number;
  manifests: Descriptor[];
}

const NAME = 'org.opencontainers.image.ref.name';

async function readIndex(layout: string): Promise<IndexJson | null> {
  const text = await readFile(join(layout, 'index.json'), 'utf8').catch(() => null);
  return text ? (JSON.parse(text) as IndexJson) : null;
}

/** name → manifest digest, for every named image of the layout. */
export async function layoutImages(layout: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const m of (await readIndex(layout))?.manifests ?? []) {
    const name = m.annotations?.[NAME];
    if (name) out.set(name, m.digest);
  }
  return out;
}

const blobPath = (layout: string, digest: string) => join(layout, 'blobs', ...digest.split(':'));

/** Every blob a manifest (or an index of manifests) reaches. */
async function reach(layout: string, digest: string, into: Set<string>): Promise<void> {
  if (into.has(digest)) return;
  into.add(digest);
  const doc = JSON.parse(await readFile(blobPath(layout, digest), 'utf8')) as { config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[] };
  if (doc.config) into.add(doc.config.digest);
  for (const l of doc.layers ?? []) into.add(l.digest);
  for (const m of doc.manifests ?? []) await reach(layout, m.digest, into);
}

/** Drops the names not in `keep` from index.json and removes the blobs nothing named reaches any more. */
export async function pruneLayout(layout: string, keep: ReadonlySet<string>): Promise<string[]> {
  const index = await readIndex(layout);
  if (!index) return [];
  const dropped = index.manifests.filter((m) => !keep.has(m.annotations?.[NAME] ?? '')).map((m) => m.annotations?.[NAME] ?? m.digest);
  index.manifests = index.manifests.filter((m) => keep.has(m.annotations?.[NAME] ?? ''));
  await writeFile(join(layout, 'index.json'), JSON.stringify(index));
  const used = new Set<string>();
  for (const m of index.manifests) await reach(layout, m.digest, used);
  for (const algo of await readdir(join(layout, 'blobs')).catch(() => [])) {
    for (const hex of await readdir(join(layout, 'blobs', algo))) {
      if (!used.has(`${algo}:${hex}`)) await rm(join(layout, 'blobs', algo, hex), { force: true });
    }
  }
  return dropped;
}
