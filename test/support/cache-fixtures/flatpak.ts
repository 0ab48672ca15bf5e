// A flatpak source, made offline: a runtime and apps exported with a local GPG key into a repository with a
// collection id, that repository configured as a remote of a throwaway installation (a FLATPAK_USER_DIR) and the
// apps installed there, as create-usb wants them. Further apps can be added later (an "updated" set).
import { execa } from 'execa';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addRemoteWithKey, type TestGpgKey } from './gpg-key.ts';

export const FLATPAK_COLLECTION = 'org.example.Test';
export const FLATPAK_RUNTIME = 'org.example.Platform';

export interface FlatpakSource {
  repo: string;
  /** the throwaway installation holding the remote "test" and the installed refs */
  installation: string;
  remote: string;
  /** exports an app (its command prints `text`) into the repository and installs it into the installation */
  addApp(id: string, text: string): Promise<void>;
}

/** flatpak against a private installation: FLATPAK_USER_DIR + --user never touches the host's. */
export function flatpakIn(installation: string, args: string[]) {
  return execa('flatpak', ['--user', ...args], { env: { FLATPAK_USER_DIR: installation } });
}

/** `flatpak remote-add test URL` with the key imported (through GPGME, so checked as `addRemoteWithKey` says). */
export async function remoteAddWithKey(installation: string, key: TestGpgKey, url: string): Promise<void> {
  await addRemoteWithKey(
    join(installation, 'repo', 'test.trustedkeys.gpg'),
    key,
    () => flatpakIn(installation, ['remote-add', '--if-not-exists', `--collection-id=${FLATPAK_COLLECTION}`, `--gpg-import=${key.publicKey}`, 'test', url]),
    () => flatpakIn(installation, ['remote-modify', `--gpg-import=${key.publicKey}`, 'test']),
  );
}

export async function makeFlatpakSource(dir: string, key: TestGpgKey): Promise<FlatpakSource> {
  const repo = join(dir, 'flatpak-repo');
  const installation = join(dir, 'flatpak-source-installation');
  const sign = [`--gpg-sign=${key.fingerprint}`, `--gpg-homedir=${key.home}`, `--collection-id=${FLATPAK_COLLECTION}`];
  const rt = join(dir, 'flatpak-runtime');
  await mkdir(join(rt, 'usr', 'bin'), { recursive: true });
  await mkdir(join(rt, 'files'), { recursive: true }); // build-export refuses a runtime without it
  await writeFile(join(rt, 'metadata'), `[Runtime]\nname=${FLATPAK_RUNTIME}\nruntime=${FLATPAK_RUNTIME}/x86_64/1\nsdk=${FLATPAK_RUNTIME}/x86_64/1\n`);
  await writeFile(join(rt, 'usr', 'bin', 'sh'), '#!/bin/sh\n');
  await chmod(join(rt, 'usr', 'bin', 'sh'), 0o755);
  await execa('flatpak', ['build-export', '--runtime', ...sign, repo, rt, '1']);
  await mkdir(installation, { recursive: true });
  await remoteAddWithKey(installation, key, `file://${repo}`);
  await flatpakIn(installation, ['install', '-y', '--noninteractive', 'test', FLATPAK_RUNTIME]);

  const addApp = async (id: string, text: string): Promise<void> => {
    const app = join(dir, `flatpak-app-${id}`);
    await execa('flatpak', ['build-init', app, id, FLATPAK_RUNTIME, FLATPAK_RUNTIME, '1'], { env: { FLATPAK_USER_DIR: installation } });
    await mkdir(join(app, 'files', 'bin'), { recursive: true });
    await writeFile(join(app, 'files', 'bin', 'hello'), `#!/bin/sh\necho ${text}\n`);
    await chmod(join(app, 'files', 'bin', 'hello'), 0o755);
    await execa('flatpak', ['build-finish', '--command=hello', app]);
    await execa('flatpak', ['build-export', ...sign, repo, app, 'stable']);
    await flatpakIn(installation, ['install', '-y', '--noninteractive', 'test', id]);
  };
  return { repo, installation, remote: 'test', addApp };
}
