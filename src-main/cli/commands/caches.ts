// `iios caches build SET`, `iios caches list` and `iios caches update STICK --cache-set SET`: the cache
// library on this computer (src-main/services/caches) and a stick's copy of it.
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { table } from '../format.ts';
import { fixed, formatBytes } from '../../../src-shared/format/bytes.ts';
import { t } from '../../../src-shared/i18n/index.ts';
import { cacheBuildStepText } from '../../../src-shared/caches/build-step.ts';
import { CACHE_KINDS, cacheSetKinds, type CacheKind } from '../../../src-shared/caches/cache-set.ts';
import { buildCacheSet } from '../../services/caches/build-cache-set.ts';
import { cacheLibraryDir } from '../../services/caches/library-paths.ts';
import { listCacheSets, loadCacheSet } from '../../services/caches/load-cache-set.ts';
import { readKindRecord } from '../../services/caches/library-record.ts';
import { updateStickCaches } from './caches-update.ts';

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);

function kindsFlag(v: unknown): CacheKind[] | undefined {
  const ks = list(v);
  const bad = ks.filter((k) => !(CACHE_KINDS as readonly string[]).includes(k));
  if (bad.length) throw new UsageError(t('cli.caches.badKind', { kinds: bad.join(', '), all: CACHE_KINDS.join(', ') }));
  return ks.length ? (ks as CacheKind[]) : undefined;
}

async function build(setArg: string, values: Record<string, unknown>, io: CommandIO): Promise<number> {
  const { set, baseDir, file } = await loadCacheSet(setArg);
  const library = cacheLibraryDir();
  const kinds = kindsFlag(values.kind);
  io.stderr.write(`${t('cli.caches.building', { set: set.id, file, library: `${library}/${set.id}` })}\n`);
  let lastLine = '';
  const summary = await buildCacheSet(set, {
    library,
    baseDir,
    kinds,
    progress: (kind, f, step) => {
      const line = t('cli.caches.progress', { kind, percent: Math.round(f * 100), step: cacheBuildStepText(step) });
      if (line !== lastLine) io.stderr.write(line + '\n');
      lastLine = line;
    },
    log: (kind, line) => {
      if (values.verbose) io.stderr.write(`[${kind}] $ ${line}\n`);
    },
  });
  if (values.json) {
    io.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    return 0;
  }
  io.stdout.write(
    table([
      [t('cli.caches.kind'), t('cli.caches.items'), t('cli.caches.new'), t('cli.caches.size'), t('cli.caches.time')],
      ...summary.map((s) => [s.kind, String(s.items.length), String(s.newItems.length), formatBytes(s.sizeBytes), t('cli.caches.seconds', { seconds: fixed(s.seconds, 1) })]),
    ]) + '\n',
  );
  for (const s of summary) if (s.newItems.length) io.stdout.write(`${t('cli.caches.newItems', { kind: s.kind, items: s.newItems.join(', ') })}\n`);
  return 0;
}

async function listSets(values: Record<string, unknown>, io: CommandIO): Promise<number> {
  const library = cacheLibraryDir();
  const rows: { id: string; file: string; kinds: { kind: CacheKind; sizeBytes: number | null; builtAt: string | null }[] }[] = [];
  for (const { set, file } of await listCacheSets()) {
    const kinds = [];
    for (const kind of cacheSetKinds(set)) {
      const r = await readKindRecord(library, set.id, kind);
      kinds.push({ kind, sizeBytes: r?.sizeBytes ?? null, builtAt: r?.builtAt ?? null });
    }
    rows.push({ id: set.id, file, kinds });
  }
  if (values.json) io.stdout.write(JSON.stringify(rows, null, 2) + '\n');
  else {
    io.stdout.write(
      table([
        [t('cli.caches.set'), t('cli.caches.kind'), t('cli.caches.size'), t('cli.caches.built')],
        ...rows.flatMap((r) => r.kinds.map((k) => [r.id, k.kind, k.sizeBytes === null ? '-' : formatBytes(k.sizeBytes), k.builtAt ?? t('cli.caches.never')])),
      ]) + '\n',
    );
  }
  return 0;
}

export const cachesCommand: Command = {
  summary: t('cli.caches.summary'),
  usage: 'iios caches build SET [--kind KIND …] [--json] [--verbose] | iios caches list [--json] | iios caches update STICK --cache-set SET [--yes] [--json]',
  options: {
    kind: { type: 'string', multiple: true },
    'cache-set': { type: 'string' },
    yes: { type: 'boolean' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean' },
  },
  async run({ values, positionals }, io) {
    const [sub, ...rest] = positionals;
    if (sub === 'build') {
      if (rest.length !== 1) throw new UsageError(t('cli.caches.buildOneSet'));
      return build(rest[0]!, values, io);
    }
    if (sub === 'list') return listSets(values, io);
    if (sub === 'update') {
      if (rest.length !== 1 || typeof values['cache-set'] !== 'string') throw new UsageError(t('cli.usageLine', { usage: 'iios caches update STICK --cache-set SET [--yes]' }));
      return updateStickCaches(rest[0]!, values['cache-set'], { yes: !!values.yes, json: !!values.json }, io);
    }
    throw new UsageError(t('cli.usageLine', { usage: cachesCommand.usage }));
  },
};
