// Each cache kind consumed the way a machine without network would, with the ecosystem's own tool in a private
// state that leaves this computer's configuration alone: apt with its own Dir:: options, skopeo into a `dir:`.
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** A private apt state reading only `sourceLine`s (or a sources.list.d folder); returns an apt-get runner. */
export async function privateApt(work: string, sources: { lines?: string[]; partsDir?: string }) {
  const d = await mkdtemp(join(work, 'apt-'));
  await mkdir(join(d, 'lists/partial'), { recursive: true });
  await mkdir(join(d, 'cache/archives/partial'), { recursive: true });
  await writeFile(join(d, 'status'), '');
  await writeFile(join(d, 'sources.list'), (sources.lines ?? []).join('\n') + '\n');
  const o = (k: string, v: string) => ['-o', `${k}=${v}`];
  const opts = [
    ...o('Dir::State::status', join(d, 'status')),
    ...o('Dir::State::Lists', join(d, 'lists')),
    ...o('Dir::Cache', join(d, 'cache')),
    ...o('Dir::Etc::sourcelist', join(d, 'sources.list')),
    ...o('Dir::Etc::sourceparts', sources.partsDir ?? '-'),
    ...o('Debug::NoLocking', '1'),
    ...o('APT::Sandbox::User', 'root'),
  ];
  return {
    run: (args: string[], cwd?: string) => execa('apt-get', [...opts, ...args], { reject: false, cwd, env: { LC_ALL: 'C' } }),
    /** `apt-get download` of packages into a fresh folder; the file names that arrived */
    async download(pkgs: string[]): Promise<string[]> {
      const into = await mkdtemp(join(work, 'dl-'));
      const r = await execa('apt-get', [...opts, 'download', ...pkgs], { reject: false, cwd: into });
      if (r.exitCode !== 0) throw new Error(`apt-get download failed: ${r.stderr}`);
      return (await readdir(into)).sort();
    },
  };
}

/** `skopeo copy oci:LAYOUT:NAME dir:OUT`; the files of the copied image. */
export async function skopeoToDir(layout: string, name: string, out: string): Promise<string[]> {
  await execa('skopeo', ['copy', '--quiet', `oci:${layout}:${name}`, `dir:${out}`]);
  return (await readdir(out)).sort();
}
