// Builds one cache kind into a temp library folder the way `iios caches build` does (the builder's own folder,
// a scratch folder removed afterwards), keeping the log lines so a test can see what the tools were asked.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheKind, CacheSpec } from '../../../src-shared/caches/cache-set.ts';
import type { CacheBuildResult, CacheKindBuilder } from '../../../src-main/services/caches/kind-builder.ts';

export interface KindBuild extends CacheBuildResult {
  log: string[];
}

export async function buildKind<K extends CacheKind>(builder: CacheKindBuilder<K>, spec: CacheSpec<K>, library: string, baseDir = library): Promise<KindBuild> {
  const dir = join(library, builder.kind);
  await mkdir(dir, { recursive: true });
  const workDir = await mkdtemp(join(library, `.work-${builder.kind}-`));
  const log: string[] = [];
  try {
    const r = await builder.build(spec, { dir, workDir, baseDir, progress: () => undefined, log: (l) => log.push(l) });
    return { ...r, log };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
