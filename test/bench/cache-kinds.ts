// Build times of the flatpak, ostree, rpm and squid caches from their test fixtures: making the fixture, the first
// build into an empty library folder, a rebuild with nothing changed, and a rebuild after one item more. Printed,
// not asserted. Everything it makes (fixtures, library, squid, origin, gpg-agent) is removed at the end.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CacheKind, CacheSpec } from '../../src-shared/caches/cache-set.ts';
import type { CacheKindBuilder } from '../../src-main/services/caches/kind-builder.ts';
import { flatpakBuilder } from '../../src-main/services/caches/kinds/flatpak.ts';
import { ostreeBuilder } from '../../src-main/services/caches/kinds/ostree.ts';
import { rpmBuilder } from '../../src-main/services/caches/kinds/rpm.ts';
import { squidBuilder } from '../../src-main/services/caches/kinds/squid.ts';
import { buildKind } from '../support/cache-fixtures/build-kind.ts';
import { makeFlatpakSource } from '../support/cache-fixtures/flatpak.ts';
import { makeGpgKey, stopGpgAgent, type TestGpgKey } from '../support/cache-fixtures/gpg-key.ts';
import { makeOstreeSource } from '../support/cache-fixtures/ostree.ts';
import { makeRpmSource } from '../support/cache-fixtures/rpm.ts';
import { startOrigin, type Origin } from '../support/cache-fixtures/squid.ts';

const secs = async (fn: () => Promise<unknown>): Promise<number> => {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
};

interface Case<K extends CacheKind> {
  kind: K;
  builder: CacheKindBuilder<K>;
  /** makes the fixture; returns the spec before and after "one item more", and how to add that item */
  fixture(dir: string): Promise<{ spec: CacheSpec<K>; more: CacheSpec<K>; addOne(): Promise<void> }>;
}

export async function cacheKinds(): Promise<void> {
  const work = await mkdtemp(join(process.env.IIOS_BENCH_DIR ?? tmpdir(), 'iios-bench-caches-'));
  await chmod(work, 0o755); // squid, started by root, works as "proxy"
  let key: TestGpgKey | undefined;
  let origin: Origin | undefined;
  try {
    key = await makeGpgKey(work);
    const k = key;
    const cases: Case<CacheKind>[] = [
      {
        kind: 'flatpak',
        builder: flatpakBuilder,
        async fixture(dir) {
          const src = await makeFlatpakSource(dir, k);
          await src.addApp('org.example.Hello', 'hello');
          const spec = { remote: src.remote, installation: src.installation, refs: ['org.example.Hello'] };
          return { spec, more: { ...spec, refs: [...spec.refs, 'org.example.Bye'] }, addOne: () => src.addApp('org.example.Bye', 'bye') };
        },
      } as Case<'flatpak'>,
      {
        kind: 'ostree',
        builder: ostreeBuilder,
        async fixture(dir) {
          const src = await makeOstreeSource(dir, k);
          await src.commit('os/stable', 'one');
          return { spec: { repo: src.repo, refs: ['os/stable'] }, more: { repo: src.repo, refs: ['os/stable', 'os/testing'] }, addOne: () => src.commit('os/testing', 'two').then(() => undefined) };
        },
      } as Case<'ostree'>,
      {
        kind: 'rpm',
        builder: rpmBuilder,
        async fixture(dir) {
          const src = await makeRpmSource(dir);
          await src.add('libgreet');
          await src.add('greet', { requires: 'libgreet' });
          return { spec: { repos: [src.repo], packages: ['greet'] }, more: { repos: [src.repo], packages: ['greet', 'extra'] }, addOne: () => src.add('extra', { requires: 'libgreet' }).then(() => undefined) };
        },
      } as Case<'rpm'>,
      {
        kind: 'squid',
        builder: squidBuilder,
        async fixture() {
          origin = await startOrigin();
          const o = origin;
          o.set('os.iso', randomBytes(32 * 1024 ** 2));
          o.set('small.deb', randomBytes(64 * 1024));
          const spec = { urls: [o.url('os.iso'), o.url('small.deb')] };
          return { spec, more: { urls: [...spec.urls, o.url('tools.tar')] }, addOne: async () => o.set('tools.tar', randomBytes(4 * 1024 ** 2)) };
        },
      } as Case<'squid'>,
    ];
    const rows = [['kind', 'fixture', 'first build', 'unchanged rebuild', 'one item more', 'items']];
    for (const c of cases) {
      const dir = join(work, c.kind);
      const library = join(dir, 'library');
      await mkdir(dir, { recursive: true });
      let f!: Awaited<ReturnType<typeof c.fixture>>;
      const tFixture = await secs(async () => (f = await c.fixture(dir)));
      const tFirst = await secs(() => buildKind(c.builder, f.spec, library));
      const tSame = await secs(() => buildKind(c.builder, f.spec, library));
      await f.addOne();
      let newItems: string[] = [];
      const tMore = await secs(async () => (newItems = (await buildKind(c.builder, f.more, library)).newItems));
      rows.push([c.kind, `${tFixture.toFixed(2)} s`, `${tFirst.toFixed(2)} s`, `${tSame.toFixed(2)} s`, `${tMore.toFixed(2)} s`, `+${newItems.length} new`]);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    process.stdout.write('cache kinds, built from their test fixtures:\n');
    for (const [n, r] of rows.entries()) {
      process.stdout.write(r.map((c, i) => c.padEnd(widths[i]!)).join('  ') + '\n');
      if (n === 0) process.stdout.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
    }
  } finally {
    await origin?.stop();
    if (key) await stopGpgAgent(key);
    await rm(work, { recursive: true, force: true });
  }
}
