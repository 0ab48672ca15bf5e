// rpm: a createrepo_c repository (`repodata/` + `packages/*.rpm`) of the named packages and their whole dependency
// closure from the set's repos, usable as a dnf repo with `baseurl=file://<mount>/@caches/rpm`. dnf resolves the
// closure against an empty install root (so nothing counts as installed) in a private configuration that reads no
// repo of this computer; only packages the cache lacks are downloaded, ones no longer needed are removed, and
// `createrepo_c --update` reuses the metadata of every package that stayed.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CacheBuildContext, CacheKindBuilder } from '../kind-builder.ts';
import { setPath } from '../library-paths.ts';
import { kindTool } from './kind-tool.ts';
import { bytesUnder } from '../folder-bytes.ts';

export const RPM_PACKAGES_DIR = 'packages';

/** A repo as the set names it: a URL (file:, http:, https:), or a folder path (relative to the set's folder). */
export function rpmRepoUrl(repo: string, baseDir: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(repo)) return repo;
  return pathToFileURL(setPath(baseDir, repo)).href;
}

/** dnf with a configuration of its own: no repo, cache or package database of this computer is read or written. */
async function privateDnf(repos: string[], ctx: CacheBuildContext): Promise<(args: string[]) => ReturnType<typeof kindTool>> {
  const base = join(ctx.workDir, 'dnf');
  const reposDir = join(base, 'repos.d');
  await mkdir(reposDir, { recursive: true });
  await mkdir(join(base, 'root'), { recursive: true });
  const sections = repos.map((url, i) => `[iios-${i}]\nname=${url}\nbaseurl=${url}\nenabled=1\ngpgcheck=0\nmetadata_expire=0\n`);
  await writeFile(join(reposDir, 'iios.repo'), sections.join('\n'));
  const conf = join(base, 'dnf.conf');
  await writeFile(conf, `[main]\nreposdir=${reposDir}\ncachedir=${join(base, 'cache')}\nkeepcache=0\ninstall_weak_deps=False\nplugins=1\n`);
  const common = ['-q', '-y', `--config=${conf}`, `--installroot=${join(base, 'root')}`, `--setopt=reposdir=${reposDir}`, '--releasever=iios', '--nogpgcheck'];
  return (args) => kindTool(ctx, 'dnf', [...common, ...args]);
}

export const rpmBuilder: CacheKindBuilder<'rpm'> = {
  kind: 'rpm',
  tools: [
    { command: 'dnf', debianPackage: 'dnf' },
    { command: 'createrepo_c', debianPackage: 'createrepo-c' },
  ],
  async build(spec, ctx) {
    const urls = spec.repos.map((r) => rpmRepoUrl(r, ctx.baseDir));
    const dnf = await privateDnf(urls, ctx);
    ctx.progress(0, { step: 'resolving', names: spec.packages });
    const listed = await dnf(['download', '--resolve', '--alldeps', '--url', ...spec.packages]).catch((e: Error) => {
      // `dnf download` is a plugin, packaged apart from dnf
      if (/No such command: download/.test(e.message)) throw new Error('cache rpm: dnf has no "download" command: install dnf-plugins-core');
      throw new Error(`cache rpm: dnf could not resolve ${spec.packages.join(', ')} from ${urls.join(', ')}: ${e.message}`);
    });
    const wanted = new Map<string, string>(); // file name → NEVRA
    for (const line of listed.stdout.split('\n').map((l) => l.trim())) {
      if (!/^[a-z]+:\/\/.*\.rpm$/i.test(line)) continue;
      const file = decodeURIComponent(line.slice(line.lastIndexOf('/') + 1));
      wanted.set(file, file.slice(0, -'.rpm'.length));
    }
    if (wanted.size === 0) throw new Error(`cache rpm: none of ${spec.packages.join(', ')} is in ${urls.join(', ')}: check the package names and the repos`);

    const pool = join(ctx.dir, RPM_PACKAGES_DIR);
    await mkdir(pool, { recursive: true });
    const have = new Set((await readdir(pool)).filter((f) => f.endsWith('.rpm')));
    const missing = [...wanted.keys()].filter((f) => !have.has(f));
    const gone = [...have].filter((f) => !wanted.has(f));
    if (missing.length > 0) {
      ctx.progress(0.2, { step: 'downloading', count: missing.length, of: wanted.size });
      await dnf(['download', `--destdir=${pool}`, ...missing.map((f) => wanted.get(f)!)]);
    }
    for (const f of gone) await rm(join(pool, f));
    const hasRepodata = (await readdir(ctx.dir)).includes('repodata');
    if (missing.length > 0 || gone.length > 0 || !hasRepodata) {
      ctx.progress(0.8, { step: 'indexing' });
      await kindTool(ctx, 'createrepo_c', ['--quiet', '--update', '--workers=1', ctx.dir]);
    }
    ctx.progress(1, { step: 'done', unit: 'packages', count: wanted.size, newCount: missing.length });
    return { items: [...wanted.keys()].sort(), newItems: missing.sort(), bytes: await bytesUnder(ctx.dir) };
  },
};
