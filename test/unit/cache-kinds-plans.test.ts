// The pure parts of the flatpak, ostree, rpm and squid caches: how a set's paths and installations are read, and
// the offline wirings' plans (which files, which content) for a stick mounted at /media/stick.
import { describe, expect, it } from 'vitest';
import { flatpakInstallation } from '../../src-main/services/caches/kinds/flatpak.ts';
import { rpmRepoUrl } from '../../src-main/services/caches/kinds/rpm.ts';
import { squidSnippetText } from '../../src-main/services/caches/kinds/squid-config.ts';
import { flatpakOffline } from '../../src-main/services/caches/offline/flatpak.ts';
import { ostreeOffline } from '../../src-main/services/caches/offline/ostree.ts';
import { rpmOffline } from '../../src-main/services/caches/offline/rpm.ts';
import { squidOffline } from '../../src-main/services/caches/offline/squid.ts';

const ctx = (kind: string) => ({ cacheDir: `/media/stick/@caches/${kind}`, root: '/r' });

describe('cache kinds: set paths', () => {
  it('a flatpak installation is the system one, the user one, or a private folder reached as FLATPAK_USER_DIR', () => {
    expect(flatpakInstallation(undefined, '/sets')).toMatchObject({ args: ['--system'], env: {} });
    expect(flatpakInstallation('user', '/sets')).toMatchObject({ args: ['--user'], env: {} });
    expect(flatpakInstallation('inst', '/sets')).toMatchObject({ args: ['--user'], env: { FLATPAK_USER_DIR: '/sets/inst' } });
  });

  it('an rpm repo is a URL as given, or a folder made a file: URL', () => {
    expect(rpmRepoUrl('https://mirror.example/fedora/40/', '/sets')).toBe('https://mirror.example/fedora/40/');
    expect(rpmRepoUrl('rpms', '/sets')).toBe('file:///sets/rpms');
    expect(rpmRepoUrl('/srv/my rpms', '/sets')).toBe('file:///srv/my%20rpms');
  });
});

describe('cache kinds: offline plans', () => {
  it('flatpak links the stick repository into the installation sideload-repos', () => {
    expect(flatpakOffline.plan(ctx('flatpak'))).toMatchObject([
      { path: '/r/var/lib/flatpak/sideload-repos/iios-offline', content: '/media/stick/@caches/flatpak/.ostree/repo', link: true },
    ]);
  });

  it('ostree adds a remote reading the stick, commits still verified', () => {
    const [c] = ostreeOffline.plan(ctx('ostree'));
    expect(c!.path).toBe('/r/etc/ostree/remotes.d/iios-offline.conf');
    expect(c!.content).toContain('[remote "iios-offline"]\nurl=file:///media/stick/@caches/ostree\ngpg-verify=true\n');
  });

  it('rpm writes a dnf repo file with metadata_expire=0 and gpgcheck on', () => {
    const [c] = rpmOffline.plan(ctx('rpm'));
    expect(c!.path).toBe('/r/etc/yum.repos.d/iios-offline.repo');
    expect(c!.content).toMatch(/^baseurl=file:\/\/\/media\/stick\/@caches\/rpm$/m);
    expect(c!.content).toMatch(/^metadata_expire=0$/m);
    expect(c!.content).toMatch(/^gpgcheck=1$/m);
  });

  it('squid reads the stick cache_dir with offline_mode on, the same layout as the snippet carried beside it', () => {
    const [c] = squidOffline.plan(ctx('squid'));
    expect(c!.path).toBe('/r/etc/squid/conf.d/iios-offline.conf');
    const cacheLine = /^cache_dir .*$/m.exec(c!.content)![0];
    expect(cacheLine).toBe(/^cache_dir .*$/m.exec(squidSnippetText())![0].replace('@CACHE_DIR@', '/media/stick/@caches/squid/cache_dir'));
    expect(c!.content).toMatch(/^offline_mode on$/m);
  });
});
