// brew: a HOMEBREW_CACHE folder (bottles in `downloads/`, the API JSON in `api/`), mirrored and checked whole.
// Homebrew's unfinished downloads (`*.incomplete`) are left behind. Offline use on the other side:
// HOMEBREW_CACHE=<mount>/@caches/brew HOMEBREW_NO_AUTO_UPDATE=1 brew install …
import type { CacheKindBuilder } from '../kind-builder.ts';
import { bytesUnder, filesUnder } from '../folder-bytes.ts';
import { setPath } from '../library-paths.ts';
import { brewCacheProblems } from './brew-integrity.ts';
import { mirrorFolder } from './mirror-folder.ts';

export const brewBuilder: CacheKindBuilder<'brew'> = {
  kind: 'brew',
  tools: [
    { command: 'rsync', debianPackage: 'rsync' },
    { command: 'gzip', debianPackage: 'gzip' },
    { command: 'xz', debianPackage: 'xz-utils' },
  ],
  async build(spec, ctx) {
    const src = setPath(ctx.baseDir, spec.path);
    const newItems = await mirrorFolder('brew', src, ctx, ['*.incomplete']);
    ctx.progress(0.5, { step: 'checking' });
    const problems = await brewCacheProblems(ctx.dir, ctx.signal);
    if (problems.length) {
      throw new Error(`cache brew: ${src} is damaged: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}. Remove those files (brew cleanup) or download them again`);
    }
    return { items: [...(await filesUnder(ctx.dir)).keys()].sort(), newItems, bytes: await bytesUnder(ctx.dir) };
  },
};
