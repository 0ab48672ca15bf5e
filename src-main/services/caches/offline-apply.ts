// `iios offline`: a mounted stick's caches wired into this machine's tools (offline/index.ts says how, kind by
// kind), and undone again. Every file written and every undo command is recorded in
// `<root>/var/lib/iios/offline/state.json`, so --disable removes exactly what was added and nothing else; a file
// already there that iios did not write is never overwritten.
import { lstat, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CACHE_KINDS, type CacheKind } from '../../../src-shared/caches/cache-set.ts';
import { runTool } from '../run-tool.ts';
import type { OfflineChange, OfflineWiring } from './kind-builder.ts';
import { offlineWirings } from './offline/index.ts';
import { t } from '../../../src-shared/i18n/index.ts';

interface OfflineState {
  format: 1;
  stick: string;
  changes: { kind: CacheKind; path: string; link?: boolean; undo?: string[] }[];
}

const statePath = (root: string) => join(root, 'var/lib/iios/offline/state.json');

async function readState(root: string): Promise<OfflineState | null> {
  const text = await readFile(statePath(root), 'utf8').catch(() => null);
  return text ? (JSON.parse(text) as OfflineState) : null;
}

/** The kinds the stick carries that this machine can be wired to (or the ones asked for, refused if absent). */
export async function offlineKinds(mount: string, asked: CacheKind[] | undefined): Promise<CacheKind[]> {
  const cachesDir = join(mount, '@caches');
  if (!(await lstat(cachesDir).catch(() => null))?.isDirectory()) throw new Error(t('offline.noCaches', { mount }));
  const present: CacheKind[] = [];
  for (const k of CACHE_KINDS) if ((await lstat(join(cachesDir, k)).catch(() => null))?.isDirectory()) present.push(k);
  if (!asked) return present.filter((k) => offlineWirings[k]);
  for (const k of asked) {
    if (!present.includes(k)) throw new Error(t('offline.noKind', { mount, kind: k, present: present.join(', ') || t('offline.none') }));
    if (!offlineWirings[k]) throw new Error(t(k === 'brew' ? 'offline.noWiringBrew' : 'offline.noWiring', { kind: k, dir: join(cachesDir, k) }));
  }
  return asked;
}

export function planOffline(mount: string, kinds: CacheKind[], root: string): { kind: CacheKind; change: OfflineChange }[] {
  return kinds.flatMap((kind) => (offlineWirings[kind] as OfflineWiring<CacheKind>).plan({ cacheDir: join(mount, '@caches', kind), root }).map((change) => ({ kind, change })));
}

export function describeChange(c: OfflineChange): string {
  const lines = [`# ${c.summary}`, c.link ? `ln -s ${c.content} ${c.path}` : `${t('offline.write', { path: c.path })}\n${c.content.replace(/^/gm, '    ')}`];
  if (c.command) lines.push(t('offline.run', { command: c.command.join(' ') }));
  return lines.join('\n');
}

export async function enableOffline(mount: string, planned: { kind: CacheKind; change: OfflineChange }[], root: string, log: (line: string) => void): Promise<void> {
  const state: OfflineState = (await readState(root)) ?? { format: 1, stick: mount, changes: [] };
  if (state.changes.length && state.stick !== mount) throw new Error(t('offline.otherStick', { stick: state.stick }));
  const save = async () => {
    await mkdir(dirname(statePath(root)), { recursive: true });
    await writeFile(statePath(root), JSON.stringify(state, null, 2) + '\n');
  };
  for (const { kind, change } of planned) {
    const ours = state.changes.some((c) => c.path === change.path);
    if (!ours && (await lstat(change.path).catch(() => null))) throw new Error(t('offline.notOurs', { path: change.path, kind }));
    await mkdir(dirname(change.path), { recursive: true });
    await rm(change.path, { force: true });
    if (change.link) await symlink(change.content, change.path);
    else await writeFile(change.path, change.content);
    if (!ours) state.changes.push({ kind, path: change.path, ...(change.link ? { link: true } : {}), ...(change.undo ? { undo: change.undo } : {}) });
    await save();
    log(change.summary);
    if (change.command) {
      log(`$ ${change.command.join(' ')}`);
      await runTool(change.command[0]!, change.command.slice(1));
    }
  }
}

/** Undoes everything recorded (or only `kinds`): undo commands first, then the files. Returns what it removed. */
export async function disableOffline(root: string, kinds: CacheKind[] | undefined, log: (line: string) => void): Promise<string[]> {
  const state = await readState(root);
  if (!state) return [];
  const removed: string[] = [];
  for (const c of [...state.changes].reverse()) {
    if (kinds && !kinds.includes(c.kind)) continue;
    if (c.undo) {
      log(`$ ${c.undo.join(' ')}`);
      await runTool(c.undo[0]!, c.undo.slice(1)).catch((err: Error) => log(t('offline.leftAsIs', { error: err.message })));
    }
    await rm(c.path, { force: true });
    removed.push(c.path);
    state.changes = state.changes.filter((x) => x !== c);
  }
  if (state.changes.length) await writeFile(statePath(root), JSON.stringify(state, null, 2) + '\n');
  else await rm(statePath(root), { force: true });
  return removed;
}
