// A private apt state for building an apt cache: apt resolves and downloads as if nothing were installed (an
// empty status file: the whole dependency closure is fetched), with its lists, caches, logs and locks in the
// build's scratch folder, so the computer's own apt state is neither read as "installed" nor written.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface AptState {
  /** `-o Name=value` options for every apt-get call */
  options: string[];
  /** true: the set names its own sources, whose lists must be fetched (apt-get update) into the private state */
  ownSources: boolean;
}

/** Makes the private state under `workDir`; `sources` (one-line apt sources) or, when absent, the host's. */
export async function makeAptState(workDir: string, sources: readonly string[] | undefined): Promise<AptState> {
  const d = (p: string) => join(workDir, p);
  await mkdir(d('lists/partial'), { recursive: true });
  await mkdir(d('cache/archives/partial'), { recursive: true });
  await mkdir(d('log'), { recursive: true });
  await writeFile(d('status'), '');
  const o = (name: string, value: string) => ['-o', `${name}=${value}`];
  const options = [
    ...o('Dir::State::status', d('status')),
    ...o('Dir::State::extended_states', d('extended_states')),
    ...o('Dir::Cache', d('cache')),
    ...o('Dir::Log', d('log')),
    ...o('Debug::NoLocking', '1'),
    ...o('APT::Install-Recommends', 'false'),
    ...o('APT::Install-Suggests', 'false'),
  ];
  // run as root, apt would fetch as its _apt user, who cannot read a file: source in root's folders
  if (process.getuid?.() === 0) options.push(...o('APT::Sandbox::User', 'root'));
  if (sources) {
    await writeFile(d('sources.list'), sources.join('\n') + '\n');
    options.push(...o('Dir::Etc::sourcelist', d('sources.list')), ...o('Dir::Etc::sourceparts', '-'), ...o('Dir::State::Lists', d('lists')));
  }
  return { options, ownSources: sources !== undefined };
}

/** The package files `apt-get install --print-uris` names ("'URI' FILE SIZE HASH" lines). */
export function printedUriFiles(stdout: string): string[] {
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^'[^']*' (\S+) \d+ /.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

/** `name:arch=version` for `apt-get download`, from a package file's name (`name_version_arch.deb`, epoch as %3a). */
export function debSelector(file: string): string {
  const m = /^([^_]+)_([^_]+)_([^_]+)\.deb$/.exec(file);
  if (!m) throw new Error(`apt named a package file iios cannot read: ${file}`);
  const version = decodeURIComponent(m[2]!);
  return m[3] === 'all' ? `${m[1]}=${version}` : `${m[1]}:${m[3]}=${version}`;
}
