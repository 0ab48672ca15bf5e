// The ostree cache: refs of a signed archive repository pulled by commit into an archive repository with the
// same collection id, then pulled offline into a fresh repository that only has the remote (URL unreachable),
// with GPG verification, by `ostree pull-local`, and through the remote `iios offline` plans. A rebuild after
// one more ref copies that ref's objects alone.
import { execa } from 'execa';
import { appendFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ostreeBuilder } from '../../src-main/services/caches/kinds/ostree.ts';
import { OSTREE_REMOTE_NAME, ostreeOffline } from '../../src-main/services/caches/offline/ostree.ts';
import { buildKind } from '../support/cache-fixtures/build-kind.ts';
import { snapshotDiff, snapshotFiles } from '../support/cache-fixtures/file-snapshot.ts';
import { addRemoteWithKey, makeGpgKey, stopGpgAgent, type TestGpgKey } from '../support/cache-fixtures/gpg-key.ts';
import { makeOstreeSource, OSTREE_COLLECTION, ostreeMachineRepo, type OstreeSource } from '../support/cache-fixtures/ostree.ts';

const STABLE = 'iios/os/x86_64/stable';
const TESTING = 'iios/os/x86_64/testing';
let work: string;
let key: TestGpgKey;
let source: OstreeSource;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-cache-ostree-'));
  key = await makeGpgKey(work);
  source = await makeOstreeSource(work, key);
});

afterAll(async () => {
  if (key) await stopGpgAgent(key);
  if (work) await rm(work, { recursive: true, force: true });
});

const ostree = (args: string[]) => execa('ostree', args);

/** A machine's repository that knows the remote "origin" (its key, its collection id) but cannot reach it. */
async function machineRepo(name: string): Promise<string> {
  const repo = join(work, name);
  await ostreeMachineRepo(repo, key, 'origin', 'http://127.0.0.1:9/unreachable');
  return repo;
}

async function catFile(repo: string, ref: string, path: string): Promise<string> {
  return (await ostree(['cat', `--repo=${repo}`, ref, path])).stdout;
}

describe('ostree cache', () => {
  it('carries signed commits by pull-local, is pulled offline with --gpg-verify, and a rebuild copies only the new ref', async () => {
    const library = join(work, 'library');
    const c1 = await source.commit(STABLE, 'one');
    const first = await buildKind(ostreeBuilder, { repo: source.repo, refs: [STABLE] }, library);
    expect(first).toMatchObject({ items: [STABLE], newItems: [STABLE] });
    const cacheDir = join(library, 'ostree');
    expect((await ostree(['config', `--repo=${cacheDir}`, 'get', 'core.mode'])).stdout.trim()).toBe('archive-z2');
    expect((await ostree(['config', `--repo=${cacheDir}`, 'get', 'core.collection-id'])).stdout.trim()).toBe(OSTREE_COLLECTION);

    const machine = await machineRepo('machine');
    await ostree(['pull-local', `--repo=${machine}`, '--remote=origin', '--gpg-verify', cacheDir, STABLE]);
    expect((await ostree(['rev-parse', `--repo=${machine}`, `origin:${STABLE}`])).stdout.trim()).toBe(c1);
    expect(await catFile(machine, `origin:${STABLE}`, '/usr/share/hello')).toBe('one');

    // unchanged source: nothing new
    expect((await buildKind(ostreeBuilder, { repo: source.repo, refs: [STABLE] }, library)).newItems).toEqual([]);

    const before = await snapshotFiles(cacheDir);
    await source.commit(TESTING, 'two');
    const second = await buildKind(ostreeBuilder, { repo: source.repo, refs: [STABLE, TESTING] }, library);
    expect(second.newItems).toEqual([TESTING]);
    const { added, touched } = snapshotDiff(before, await snapshotFiles(cacheDir), 'objects/');
    expect(added.length).toBeGreaterThan(0);
    expect(touched).toEqual([]);

    // the remote iios offline plans, as a machine's ostree reads it (the same section `ostree remote add` writes)
    const plan = ostreeOffline.plan({ cacheDir, root: join(work, 'root') });
    expect(plan.map((c) => c.path)).toEqual([join(work, 'root/etc/ostree/remotes.d/iios-offline.conf')]);
    const other = await machineRepo('other');
    await appendFile(join(other, 'config'), plan[0]!.content.split('\n').filter((l) => !l.startsWith('#')).join('\n'));
    await addRemoteWithKey(
      join(other, `${OSTREE_REMOTE_NAME}.trustedkeys.gpg`),
      key,
      () => ostree(['remote', 'gpg-import', `--repo=${other}`, `--keyring=${key.publicKey}`, OSTREE_REMOTE_NAME]),
      () => ostree(['remote', 'gpg-import', `--repo=${other}`, `--keyring=${key.publicKey}`, OSTREE_REMOTE_NAME]),
    );
    await ostree(['pull', `--repo=${other}`, OSTREE_REMOTE_NAME, TESTING]);
    expect(await catFile(other, `${OSTREE_REMOTE_NAME}:${TESTING}`, '/usr/share/hello')).toBe('two');
    expect(await readFile(join(other, 'config'), 'utf8')).toContain('gpg-verify=true');
  });

  it('a stale summary in the source does not hold the cache back', async () => {
    const library = join(work, 'library-stale');
    await source.commit(STABLE, 'three');
    await buildKind(ostreeBuilder, { repo: source.repo, refs: [STABLE] }, library);
    // a commit whose summary is not updated afterwards
    const tree = join(work, 'stale-tree');
    await mkdir(tree);
    await execa('sh', ['-c', `echo four > ${tree}/hello`]);
    await ostree(['commit', `--repo=${source.repo}`, `--branch=${STABLE}`, `--gpg-sign=${key.fingerprint}`, `--gpg-homedir=${key.home}`, tree]);
    const c4 = (await ostree(['rev-parse', `--repo=${source.repo}`, STABLE])).stdout.trim();
    const r = await buildKind(ostreeBuilder, { repo: source.repo, refs: [STABLE] }, library);
    expect(r.newItems).toEqual([STABLE]);
    expect((await ostree(['rev-parse', `--repo=${join(library, 'ostree')}`, STABLE])).stdout.trim()).toBe(c4);
  });

  it('refuses a folder that is not a repository, a missing ref, and a repository without a collection id', async () => {
    const lib = join(work, 'library-refused');
    await expect(buildKind(ostreeBuilder, { repo: work, refs: [STABLE] }, lib)).rejects.toThrow(/is not an ostree repository/);
    await expect(buildKind(ostreeBuilder, { repo: source.repo, refs: ['nope'] }, lib)).rejects.toThrow(/has no ref "nope": name one that `ostree refs/);
    const bare = join(work, 'no-cid');
    await ostree(['init', `--repo=${bare}`, '--mode=archive']);
    await expect(buildKind(ostreeBuilder, { repo: bare, refs: [STABLE] }, lib)).rejects.toThrow(/has no collection id: give one as "collectionId"/);
  });
});
