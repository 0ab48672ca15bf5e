// A throwaway GPG signing key (ed25519, no passphrase) in its own GNUPGHOME, for signing fixture repositories.
import { execa } from 'execa';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TestGpgKey {
  home: string;
  fingerprint: string;
  /** the public key, binary (what `--gpg-import=` takes) */
  publicKey: string;
}

export async function makeGpgKey(dir: string): Promise<TestGpgKey> {
  const home = join(dir, 'gnupg');
  await mkdir(home, { recursive: true, mode: 0o700 });
  const env = { GNUPGHOME: home };
  await execa('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'iios test <test@iios.invalid>', 'ed25519', 'sign', 'never'], { env });
  const { stdout } = await execa('gpg', ['--list-keys', '--with-colons'], { env });
  const fingerprint = stdout.split('\n').find((l) => l.startsWith('fpr:'))!.split(':')[9]!;
  const publicKey = join(dir, 'key.gpg');
  // An export that races gpg's keybox on a busy machine can come out empty; flatpak then fails with "GPGME: No data".
  for (let attempt = 1; ; attempt++) {
    const exported = (await execa('gpg', ['--batch', '--export', fingerprint], { env, encoding: 'buffer' })).stdout;
    if (exported.length > 0) {
      await writeFile(publicKey, exported);
      break;
    }
    if (attempt === 3) throw new Error(`gpg --export ${fingerprint} gave no key three times (GNUPGHOME ${home})`);
  }
  return { home, fingerprint, publicKey };
}

/** Ends the gpg-agent a key's GNUPGHOME started, so no process outlives the test. */
export async function stopGpgAgent(key: TestGpgKey): Promise<void> {
  await execa('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: key.home }, reject: false });
}

/**
 * Runs a command that imports a key through GPGME (`ostree remote add --gpg-import`, `flatpak remote-add
 * --gpg-import`, `ostree remote gpg-import`). On a busy machine GPGME's import into its temporary home has now and
 * then come out empty ("Unable to export keys: GPGME: No data"); the same command succeeds when run again. Any
 * other error, or a third GPGME one, is thrown.
 */
export async function retryGpgme<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const r = await run().catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    if (!(r instanceof Error)) return r;
    if (attempt === 3 || !/GPGME/.test(r.message)) throw r;
  }
}

/** Whether a keyring file (a remote's `<name>.trustedkeys.gpg`) holds the key; a missing file holds nothing. */
async function keyringHolds(keyring: string, key: TestGpgKey): Promise<boolean> {
  const r = await execa('gpg', ['--batch', '--with-colons', '--show-keys', keyring], { env: { GNUPGHOME: key.home }, reject: false });
  return r.exitCode === 0 && r.stdout.includes(key.fingerprint);
}

/**
 * Adds a remote with its key (`add`, retried as `retryGpgme` says) and then makes sure the key reached the remote's
 * keyring: under load GPGME's import has also come back with success and an empty keyring, so the first pull
 * then fails with "public key not found". Then the key is imported again (`reimport`), up to twice.
 */
export async function addRemoteWithKey(keyring: string, key: TestGpgKey, add: () => Promise<unknown>, reimport: () => Promise<unknown>): Promise<void> {
  await retryGpgme(add);
  for (let attempt = 1; !(await keyringHolds(keyring, key)); attempt++) {
    if (attempt === 3) throw new Error(`the key ${key.fingerprint} did not reach ${keyring} after three imports`);
    await retryGpgme(reimport);
  }
}
