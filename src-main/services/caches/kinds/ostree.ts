// ostree: an archive repository with a collection id holding the named refs, so a machine pulls them offline
// with `ostree pull-local --repo=T --remote=R <mount>/@caches/ostree REF` (commits keep their detached GPG
// signatures, so `--gpg-verify` against the remote's key still holds). Each ref is resolved in the source and its
// commit pulled by checksum, never by name: pull-local by name trusts the source's summary, which may be stale.
// A ref whose commit is already carried costs nothing; pull-local copies only objects the cache lacks.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheBuildContext, CacheKindBuilder } from '../kind-builder.ts';
import { setPath } from '../library-paths.ts';
import { kindTool } from './kind-tool.ts';
import { bytesUnder } from '../folder-bytes.ts';

async function revParse(ctx: CacheBuildContext, repo: string, ref: string): Promise<string | undefined> {
  const r = await kindTool(ctx, 'ostree', ['rev-parse', `--repo=${repo}`, ref], { okExitCodes: [0, 1] });
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

async function configGet(ctx: CacheBuildContext, repo: string, key: string): Promise<string | undefined> {
  const r = await kindTool(ctx, 'ostree', ['config', `--repo=${repo}`, 'get', key], { okExitCodes: [0, 1] });
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

export const ostreeBuilder: CacheKindBuilder<'ostree'> = {
  kind: 'ostree',
  tools: [{ command: 'ostree', debianPackage: 'ostree' }],
  async build(spec, ctx) {
    const src = setPath(ctx.baseDir, spec.repo);
    if ((await configGet(ctx, src, 'core.mode')) === undefined) {
      throw new Error(`cache ostree: ${src} is not an ostree repository: give the path of one (the folder holding "config" and "objects")`);
    }
    const collectionId = spec.collectionId ?? (await configGet(ctx, src, 'core.collection-id'));
    if (!collectionId) {
      throw new Error(`cache ostree: ${src} has no collection id: give one as "collectionId" in the cache set (the one the machines' remotes use)`);
    }
    const dir = ctx.dir;
    const exists = await access(join(dir, 'config')).then(
      () => true,
      () => false,
    );
    if (!exists) await kindTool(ctx, 'ostree', ['init', `--repo=${dir}`, '--mode=archive', `--collection-id=${collectionId}`]);
    else if ((await configGet(ctx, dir, 'core.collection-id')) !== collectionId) {
      await kindTool(ctx, 'ostree', ['config', `--repo=${dir}`, 'set', 'core.collection-id', collectionId]);
    }

    const newItems: string[] = [];
    for (const [i, ref] of spec.refs.entries()) {
      ctx.progress(i / spec.refs.length, { step: 'fetching', item: ref });
      const commit = await revParse(ctx, src, ref);
      if (!commit) throw new Error(`cache ostree: ${src} has no ref "${ref}": name one that \`ostree refs --repo=${src}\` lists`);
      if ((await revParse(ctx, dir, ref)) === commit) continue;
      const pulled = await kindTool(ctx, 'ostree', ['pull-local', `--repo=${dir}`, src, commit]);
      ctx.log(pulled.stdout.trim());
      await kindTool(ctx, 'ostree', ['refs', `--repo=${dir}`, '--force', `--create=${ref}`, commit]);
      newItems.push(ref);
    }
    // refs the set no longer names go, and with them (and with replaced commits) the objects nothing reaches
    const carried = (await kindTool(ctx, 'ostree', ['refs', `--repo=${dir}`])).stdout.split('\n').filter(Boolean);
    // (`ostree-metadata` is the repository's own metadata ref, which `summary -u` keeps for a collection id)
    const gone = carried.filter((r) => !spec.refs.includes(r) && r !== 'ostree-metadata');
    for (const ref of gone) await kindTool(ctx, 'ostree', ['refs', `--repo=${dir}`, '--delete', ref]);
    const changed = newItems.length > 0 || gone.length > 0;
    if (changed) await kindTool(ctx, 'ostree', ['prune', `--repo=${dir}`, '--refs-only', '--depth=0']);
    // a summary that matches the refs, so pull-local from the stick never takes an older commit (each update
    // makes a new `ostree-metadata` commit, so an unchanged cache keeps the one it has)
    const hasSummary = await access(join(dir, 'summary')).then(
      () => true,
      () => false,
    );
    if (changed || !hasSummary) await kindTool(ctx, 'ostree', ['summary', `--repo=${dir}`, '--update']);
    ctx.progress(1, { step: 'done', unit: 'refs', count: spec.refs.length, newCount: newItems.length });
    return { items: [...spec.refs].sort(), newItems, bytes: await bytesUnder(dir) };
  },
};
