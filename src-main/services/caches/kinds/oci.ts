// oci: every image of the set copied with skopeo into one OCI image layout, each tagged with its reference as
// the set names it (oci-refs.ts). Layers shared between images, and between builds, are stored once: skopeo
// writes only blobs the layout lacks. Images dropped from the set are untagged and their unshared blobs removed.
import { bytesUnder } from '../folder-bytes.ts';
import type { CacheKindBuilder } from '../kind-builder.ts';
import { runTool } from '../../run-tool.ts';
import { layoutImages, pruneLayout } from './oci-layout.ts';
import { ociSource } from './oci-refs.ts';

export const ociBuilder: CacheKindBuilder<'oci'> = {
  kind: 'oci',
  tools: [{ command: 'skopeo', debianPackage: 'skopeo' }],
  async build(spec, ctx) {
    const sources = spec.images.map(ociSource);
    const dup = sources.find((s, i) => sources.findIndex((o) => o.name === s.name) !== i);
    if (dup) throw new Error(`cache oci: two images are named ${dup.name}: give each image its own name`);
    const before = await layoutImages(ctx.dir);
    for (const [i, s] of sources.entries()) {
      ctx.progress(i / sources.length, { step: 'copying', source: s.source });
      const args = ['copy', '--quiet', s.source, `oci:${ctx.dir}:${s.name}`];
      ctx.log(`skopeo ${args.join(' ')}`);
      await runTool('skopeo', args, { signal: ctx.signal });
    }
    const dropped = await pruneLayout(ctx.dir, new Set(sources.map((s) => s.name)));
    if (dropped.length) ctx.log(`removed from the layout: ${dropped.join(', ')}`);
    const after = await layoutImages(ctx.dir);
    const newItems = sources.map((s) => s.name).filter((n) => before.get(n) !== after.get(n));
    ctx.progress(1, { step: 'done', unit: 'images', count: sources.length, newCount: newItems.length });
    return { items: sources.map((s) => s.name).sort(), newItems, bytes: await bytesUnder(ctx.dir) };
  },
};
