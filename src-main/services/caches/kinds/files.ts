// files: plain files, carried as they are (the folder the set names, mirrored).
import type { CacheKindBuilder } from '../kind-builder.ts';
import { bytesUnder, filesUnder } from '../folder-bytes.ts';
import { setPath } from '../library-paths.ts';
import { mirrorFolder } from './mirror-folder.ts';

export const filesBuilder: CacheKindBuilder<'files'> = {
  kind: 'files',
  tools: [{ command: 'rsync', debianPackage: 'rsync' }],
  async build(spec, ctx) {
    const newItems = await mirrorFolder('files', setPath(ctx.baseDir, spec.path), ctx);
    return { items: [...(await filesUnder(ctx.dir)).keys()].sort(), newItems, bytes: await bytesUnder(ctx.dir) };
  },
};
