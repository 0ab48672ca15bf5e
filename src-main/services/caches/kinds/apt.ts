// apt: the whole dependency closure of the named packages, downloaded with apt-get in a private state (nothing
// counts as installed), kept as a flat repository signed by this computer's key (apt-repo-index.ts). A second
// build downloads only package files not already in the pool (apt skips those it finds there, checked by hash)
// and drops the ones no longer in the closure; the index is rewritten only when the pool changed, so an unchanged
// set keeps the same bytes (and the same manifest hash on the stick).
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../../run-tool.ts';
import { aptSigningKey, stopAgent } from '../apt-signing-key.ts';
import { bytesUnder } from '../folder-bytes.ts';
import type { CacheKindBuilder } from '../kind-builder.ts';
import { aptKeyDir } from '../library-paths.ts';
import { debSelector, makeAptState, printedUriFiles } from './apt-state.ts';
import { APT_KEY_BINARY, writeRepoIndex } from './apt-repo-index.ts';

export const aptBuilder: CacheKindBuilder<'apt'> = {
  kind: 'apt',
  tools: [
    { command: 'apt-get', debianPackage: 'apt' },
    { command: 'apt-ftparchive', debianPackage: 'apt-utils' },
    { command: 'gpg', debianPackage: 'gnupg' },
  ],
  async build(spec, ctx) {
    const state = await makeAptState(ctx.workDir, spec.sources);
    const apt = async (args: string[]) => {
      ctx.log(`apt-get ${args.join(' ')}`);
      return runTool('apt-get', [...state.options, ...args], { signal: ctx.signal });
    };
    if (state.ownSources) {
      ctx.progress(0.05, { step: 'apt-update' });
      await apt(['-q', 'update']);
    }
    // What the closure is, from a pool that holds nothing (so every file is named), before downloading any.
    ctx.progress(0.15, { step: 'resolving', names: spec.packages });
    const emptyPool = join(ctx.workDir, 'empty-pool');
    await mkdir(join(emptyPool, 'partial'), { recursive: true });
    const wanted = printedUriFiles((await apt(['-q', '-o', `Dir::Cache::archives=${emptyPool}`, 'install', '--print-uris', '-y', ...spec.packages])).stdout);
    if (wanted.length === 0) throw new Error(`cache apt: apt resolved no package file for ${spec.packages.join(', ')}`);

    const pool = join(ctx.dir, 'pool');
    await mkdir(pool, { recursive: true });
    const before = new Set((await readdir(pool)).filter((f) => f.endsWith('.deb')));
    ctx.progress(0.3, { step: 'downloading', count: wanted.filter((f) => !before.has(f)).length, of: wanted.length });
    // `apt-get download` (not `install --download-only`, which leaves file: sources' packages where they are),
    // in the pool, of exactly the versions resolved above; apt checks each file against the index's hash
    const fetch = wanted.filter((f) => !before.has(f)).map(debSelector);
    if (fetch.length) {
      ctx.log(`apt-get download ${fetch.join(' ')} (in ${pool})`);
      await runTool('apt-get', [...state.options, '-q', 'download', ...fetch], { signal: ctx.signal, cwd: pool });
    }
    await rm(join(pool, 'partial'), { recursive: true, force: true });
    const keep = new Set(wanted);
    for (const f of await readdir(pool)) if (!keep.has(f)) await rm(join(pool, f), { recursive: true, force: true });
    const missing = wanted.filter((f) => !before.has(f));
    const after = new Set(await readdir(pool));
    const notFetched = wanted.filter((f) => !after.has(f));
    if (notFetched.length) throw new Error(`cache apt: apt-get did not download ${notFetched.join(', ')}`);

    // an interrupted earlier build may have left the pool without its index: rewrite it then too
    const top = await readdir(ctx.dir);
    const poolChanged = missing.length > 0 || before.size !== wanted.length || !top.includes('InRelease') || !top.includes(APT_KEY_BINARY);
    if (poolChanged) {
      ctx.progress(0.85, { step: 'indexing' });
      const key = await aptSigningKey(aptKeyDir(), ctx.log);
      try {
        await writeRepoIndex(ctx.dir, ctx.workDir, key, ctx.log);
      } finally {
        await stopAgent(key);
      }
    }
    ctx.progress(1, { step: 'done', unit: 'packages', count: wanted.length, newCount: missing.length });
    return { items: [...wanted].sort(), newItems: missing.sort(), bytes: await bytesUnder(ctx.dir) };
  },
};
