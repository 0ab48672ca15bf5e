// rpm packages made with rpmbuild (noarch, tiny), gathered into a createrepo_c repository that a cache set names
// as a file: repo. `add` builds one more package; `requires` makes it depend on another.
import { execa } from 'execa';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface RpmSource {
  /** the folder with the packages and their repodata */
  repo: string;
  add(name: string, opts?: { requires?: string; text?: string }): Promise<string>;
}

export async function makeRpmSource(dir: string): Promise<RpmSource> {
  const top = join(dir, 'rpmbuild');
  const repo = join(dir, 'rpm-source');
  await mkdir(join(top, 'SPECS'), { recursive: true });
  await mkdir(repo, { recursive: true });
  const add = async (name: string, opts: { requires?: string; text?: string } = {}): Promise<string> => {
    const spec = join(top, 'SPECS', `${name}.spec`);
    await writeFile(
      spec,
      [
        `Name: ${name}`,
        'Version: 1.0',
        'Release: 1',
        `Summary: ${name} for iios tests`,
        'License: MIT',
        'BuildArch: noarch',
        ...(opts.requires ? [`Requires: ${opts.requires}`] : []),
        '%description',
        `${name} for iios tests.`,
        '%install',
        `mkdir -p %{buildroot}/usr/share/${name}`,
        `echo '${opts.text ?? name}' > %{buildroot}/usr/share/${name}/text`,
        '%files',
        `/usr/share/${name}/text`,
        '',
      ].join('\n'),
    );
    await execa('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, spec]);
    const file = `${name}-1.0-1.noarch.rpm`;
    await copyFile(join(top, 'RPMS', 'noarch', file), join(repo, file));
    await execa('createrepo_c', ['--quiet', '--update', repo]);
    return file;
  };
  return { repo, add };
}
