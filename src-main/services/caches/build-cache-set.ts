// `iios caches build`: each kind of a cache set built by its builder into the library
// (`<library>/<set>/<kind>/`), one after the other, after checking every tool they need. Each kind's folder
// keeps the previous build, so its builder fetches only what changed; when it is done the folder is walked into
// its manifest (the same text the stick's stamp and verify use) and the kind's record written (library-record.ts).
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheBuildStep } from '../../../src-shared/caches/build-step.ts';
import { cacheSetKinds, type CacheKind, type CacheSet, type CacheSpec } from '../../../src-shared/caches/cache-set.ts';
import { cacheManifestText } from '../../../src-shared/profile/cache-manifest.ts';
import { cacheManifestSha256 } from '../stick/stick-caches.ts';
import { requireTools } from './host-tools.ts';
import type { CacheKindBuilder } from './kind-builder.ts';
import { builderOf } from './kinds/index.ts';
import { forgetKindRecord, kindDir, writeKindRecord, type KindBuildRecord } from './library-record.ts';

export interface CacheBuildEvents {
  progress?(kind: CacheKind, fraction: number, step: CacheBuildStep): void;
  log?(kind: CacheKind, line: string): void;
}

export interface CacheSetBuildOptions extends CacheBuildEvents {
  library: string;
  baseDir: string;
  /** build only these kinds of the set (default: all) */
  kinds?: CacheKind[];
  signal?: AbortSignal;
  now?: () => Date;
}

export interface KindBuildSummary extends KindBuildRecord {
  seconds: number;
}

function buildersFor(kinds: CacheKind[]): CacheKindBuilder<CacheKind>[] {
  const unknown = kinds.filter((k) => !builderOf(k));
  if (unknown.length) throw new Error(`this iios cannot build ${unknown.join(', ')} caches yet: remove ${unknown.length > 1 ? 'them' : 'it'} from the cache set`);
  return kinds.map((k) => builderOf(k)! as CacheKindBuilder<CacheKind>);
}

export async function buildCacheSet(set: CacheSet, opts: CacheSetBuildOptions): Promise<KindBuildSummary[]> {
  const kinds = opts.kinds ?? cacheSetKinds(set);
  const notInSet = kinds.filter((k) => !set.caches[k]);
  if (notInSet.length) throw new Error(`cache set ${set.id} has no ${notInSet.join(', ')}: its kinds are ${cacheSetKinds(set).join(', ')}`);
  const builders = buildersFor(kinds);
  await requireTools(builders.flatMap((b) => b.tools.map((t) => ({ kind: b.kind, ...t }))));

  const out: KindBuildSummary[] = [];
  for (const builder of builders) {
    const kind = builder.kind;
    const started = Date.now();
    const dir = kindDir(opts.library, set.id, kind);
    await mkdir(dir, { recursive: true });
    await forgetKindRecord(opts.library, set.id, kind);
    const workDir = await mkdtemp(join(opts.library, set.id, `.${kind}-work-`));
    try {
      const result = await builder.build(set.caches[kind] as CacheSpec<CacheKind>, {
        dir,
        workDir,
        baseDir: opts.baseDir,
        progress: (f, step) => opts.progress?.(kind, f, step),
        log: (line) => opts.log?.(kind, line),
        signal: opts.signal,
      });
      const m = await cacheManifestSha256(dir, opts.signal);
      const text = cacheManifestText(m.entries);
      const record: KindBuildRecord = {
        format: 1,
        setId: set.id,
        kind,
        builtAt: (opts.now?.() ?? new Date()).toISOString(),
        manifestSha256: createHash('sha256').update(text).digest('hex'),
        files: m.files,
        sizeBytes: m.sizeBytes,
        items: result.items,
        newItems: result.newItems,
      };
      await writeKindRecord(opts.library, record, text);
      out.push({ ...record, seconds: (Date.now() - started) / 1000 });
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }
  return out;
}
