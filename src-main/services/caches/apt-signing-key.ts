// The key that signs every apt cache this computer builds: made once (ed25519, no passphrase: it only vouches
// that the repository on a stick is the one this computer built) in its own GNUPGHOME under the user's iios
// config, never in the user's keyring. Its public part goes beside each repository (binary for `signed-by=`,
// armoured for people).
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { runTool, runToolBuffer } from '../run-tool.ts';

export interface AptSigningKey {
  gnupgHome: string;
  fingerprint: string;
}

async function fingerprintIn(gnupgHome: string): Promise<string | null> {
  const r = await runTool('gpg', ['--batch', '--with-colons', '--list-secret-keys'], { env: { GNUPGHOME: gnupgHome }, okExitCodes: [0, 2] });
  const fpr = r.stdout.split('\n').find((l) => l.startsWith('fpr:'));
  return fpr ? fpr.split(':')[9]! : null;
}

/** The computer's key, made on first use in `<keyDir>/gnupg`. */
export async function aptSigningKey(keyDir: string, log: (line: string) => void): Promise<AptSigningKey> {
  const gnupgHome = join(keyDir, 'gnupg');
  await mkdir(gnupgHome, { recursive: true, mode: 0o700 });
  const existing = (await stat(join(gnupgHome, 'pubring.kbx')).catch(() => null)) ? await fingerprintIn(gnupgHome) : null;
  if (existing) return { gnupgHome, fingerprint: existing };
  const uid = `iios offline caches (${hostname()}) <iios-caches@localhost>`;
  log(`gpg --quick-gen-key '${uid}' ed25519 sign never (GNUPGHOME=${gnupgHome})`);
  await runTool('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key', uid, 'ed25519', 'sign', 'never'], { env: { GNUPGHOME: gnupgHome } });
  const fingerprint = await fingerprintIn(gnupgHome);
  if (!fingerprint) throw new Error(`gpg made no key in ${gnupgHome}`);
  return { gnupgHome, fingerprint };
}

/**
 * The public key, binary (what apt's `signed-by=` reads) and armoured; a file already holding the same bytes is
 * left alone, so a rebuild does not give the stick's copy a new time (and `iios caches update` nothing to write).
 */
export async function exportPublicKey(key: AptSigningKey, binaryOut: string, armouredOut: string): Promise<void> {
  const env = { GNUPGHOME: key.gnupgHome };
  const keep = async (path: string, bytes: Buffer) => {
    const old = await readFile(path).catch(() => null);
    if (!old?.equals(bytes)) await writeFile(path, bytes);
  };
  await keep(binaryOut, await runToolBuffer('gpg', ['--batch', '--export', key.fingerprint], { env }));
  await keep(armouredOut, await runToolBuffer('gpg', ['--batch', '--armor', '--export', key.fingerprint], { env }));
}

/** `Release` clear-signed into `InRelease`. */
export async function clearSign(key: AptSigningKey, release: string, out: string): Promise<void> {
  await runTool('gpg', ['--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase', '', '--local-user', key.fingerprint, '--digest-algo', 'SHA512', '--clearsign', '--output', out, release], {
    env: { GNUPGHOME: key.gnupgHome },
  });
}

/** Stops the gpg-agent the signing started (it would otherwise outlive the build). */
export async function stopAgent(key: AptSigningKey): Promise<void> {
  await runTool('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: key.gnupgHome } }).catch(() => undefined);
}

