// What the GUI's cache step calls (contract domain "cachesets"): the sets with each kind's size and last build,
// a set opened from a file, and a build with its progress pushed as events. One build at a time: a second is
// refused rather than queued, as jobs are.
import { cacheSetKinds, type CacheSet } from '../../../src-shared/caches/cache-set.ts';
import type { CacheSetSummary } from '../../../src-shared/contract/domains/cache-sets.ts';
import type { EventSink } from '../events.ts';
import { buildCacheSet } from './build-cache-set.ts';
import { cacheLibraryDir } from './library-paths.ts';
import { readKindRecord } from './library-record.ts';
import { listCacheSets, loadCacheSet } from './load-cache-set.ts';

export class CacheSetsApi {
  private building: string | null = null;

  constructor(
    private readonly events?: EventSink,
    private readonly library = cacheLibraryDir(),
  ) {}

  private async summary(set: CacheSet, file: string): Promise<CacheSetSummary> {
    const kinds = [];
    for (const kind of cacheSetKinds(set)) {
      const r = await readKindRecord(this.library, set.id, kind);
      kinds.push({ kind, sizeBytes: r?.sizeBytes ?? null, files: r?.files ?? null, builtAt: r?.builtAt ?? null });
    }
    return { id: set.id, title: set.title, file, kinds, builtBytes: kinds.reduce((n, k) => n + (k.sizeBytes ?? 0), 0), builtFiles: kinds.reduce((n, k) => n + (k.files ?? 0), 0), complete: kinds.every((k) => k.builtAt !== null) };
  }

  async list(): Promise<CacheSetSummary[]> {
    const out: CacheSetSummary[] = [];
    for (const { set, file } of await listCacheSets()) out.push(await this.summary(set, file));
    return out;
  }

  async open(setArg: string): Promise<CacheSetSummary> {
    const { set, file } = await loadCacheSet(setArg);
    return this.summary(set, file);
  }

  async build(setArg: string) {
    if (this.building) throw Object.assign(new Error(`cache set ${this.building} is being built: wait for it to finish`), { code: 'E_BUSY' });
    // taken before the first await, or two calls in the same tick would both start
    this.building = setArg;
    try {
      const { set, baseDir } = await loadCacheSet(setArg);
      this.building = set.id;
      const done = await buildCacheSet(set, {
        library: this.library,
        baseDir,
        progress: (kind, fraction, step) => this.events?.emit('cachesets.progressed', { set: set.id, kind, fraction, step }),
      });
      return done.map((d) => ({ kind: d.kind, items: d.items.length, newItems: d.newItems, sizeBytes: d.sizeBytes, seconds: d.seconds }));
    } finally {
      this.building = null;
    }
  }
}
