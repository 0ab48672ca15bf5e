// An ostree source: an archive repository with a collection id, commits signed with a test key, and a summary.
// `commit` adds (or moves) a ref to a new commit of a small tree.
import { execa } from 'execa';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addRemoteWithKey, type TestGpgKey } from './gpg-key.ts';

export const OSTREE_COLLECTION = 'org.example.Os';

export interface OstreeSource {
  repo: string;
  /** commits a tree whose file `usr/share/hello` holds `text` onto `ref`; returns the commit */
  commit(ref: string, text: string): Promise<string>;
}

export async function makeOstreeSource(dir: string, key: TestGpgKey): Promise<OstreeSource> {
  const repo = join(dir, 'ostree-source');
  const sign = [`--gpg-sign=${key.fingerprint}`, `--gpg-homedir=${key.home}`];
  await execa('ostree', ['init', `--repo=${repo}`, '--mode=archive', `--collection-id=${OSTREE_COLLECTION}`]);
  let n = 0;
  const commit = async (ref: string, text: string): Promise<string> => {
    const tree = join(dir, `ostree-tree-${n++}`);
    await mkdir(join(tree, 'usr', 'share'), { recursive: true });
    await writeFile(join(tree, 'usr', 'share', 'hello'), `${text}\n`);
    await writeFile(join(tree, 'usr', 'share', `only-in-${n}`), `${text} ${n}\n`);
    await execa('ostree', ['commit', `--repo=${repo}`, `--branch=${ref}`, `--subject=${text}`, ...sign, tree]);
    await execa('ostree', ['summary', `--repo=${repo}`, '--update', ...sign]);
    await rm(tree, { recursive: true, force: true });
    return (await execa('ostree', ['rev-parse', `--repo=${repo}`, ref])).stdout.trim();
  };
  return { repo, commit };
}

/**
 * A machine's repository (made here, bare-user) that knows the remote `name` at `url` with the fixture's key and
 * collection id; the key is checked into the remote's keyring as `addRemoteWithKey` says.
 */
export async function ostreeMachineRepo(repo: string, key: TestGpgKey, name: string, url: string): Promise<void> {
  await execa('ostree', ['init', `--repo=${repo}`, '--mode=bare-user']);
  await addRemoteWithKey(
    join(repo, `${name}.trustedkeys.gpg`),
    key,
    () => execa('ostree', ['remote', 'add', '--if-not-exists', `--repo=${repo}`, `--gpg-import=${key.publicKey}`, `--collection-id=${OSTREE_COLLECTION}`, name, url]),
    () => execa('ostree', ['remote', 'gpg-import', `--repo=${repo}`, `--keyring=${key.publicKey}`, name]),
  );
}
