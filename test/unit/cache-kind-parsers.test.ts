// The pure pieces of the cache kinds, as tables: the names images get in the stick's OCI layout, the package
// files apt names, the selectors `apt-get download` takes, and rsync's statistics (real captured output).
import { describe, expect, it } from 'vitest';
import { ociSource } from '../../src-main/services/caches/kinds/oci-refs.ts';
import { debSelector, printedUriFiles } from '../../src-main/services/caches/kinds/apt-state.ts';
import { rsyncStats } from '../../src-main/services/caches/update-stick-caches.ts';

describe('OCI names', () => {
  it.each([
    ['docker://registry.local/team/tool:1', 'registry.local/team/tool:1'],
    ['docker://registry.local:5000/team/tool:1', 'registry.local:5000/team/tool:1'],
    ['oci-archive:/srv/hello.tar:team/hello:1', 'team/hello:1'],
    ['oci:/srv/layout:team/hello:1', 'team/hello:1'],
    ['docker-archive:/srv/x.tar:x:2', 'x:2'],
    ['containers-storage:[vfs@/a+/b]team/hello:1', 'team/hello:1'],
  ])('%s is named %s', (image, name) => expect(ociSource(image)).toEqual({ source: image, name }));

  it('refuses an archive that names no image, and an unknown transport, saying how to write it', () => {
    expect(() => ociSource('oci-archive:/srv/hello.tar')).toThrow('write it as oci-archive:PATH:NAME:TAG');
    expect(() => ociSource('registry.local/x:1')).toThrow('has no known transport');
  });
});

describe('apt', () => {
  it('reads the files --print-uris names', () => {
    const out = [
      "'file:/srv/debs/./libgreet_1.0_all.deb' libgreet_1.0_all.deb 20758 SHA256:0f3c",
      "'http://deb.debian.org/debian/pool/main/j/jq/jq_1.6-2.1_amd64.deb' jq_1.6-2.1_amd64.deb 64564 SHA256:aa",
      'Reading package lists...',
    ].join('\n');
    expect(printedUriFiles(out)).toEqual(['libgreet_1.0_all.deb', 'jq_1.6-2.1_amd64.deb']);
  });
  it.each([
    ['greet_1.0_all.deb', 'greet=1.0'],
    ['jq_1.6-2.1_amd64.deb', 'jq:amd64=1.6-2.1'],
    ['bash_1%3a5.2-1_amd64.deb', 'bash:amd64=1:5.2-1'],
  ])('%s is fetched as %s', (file, sel) => expect(debSelector(file)).toBe(sel));
});

it('reads rsync --stats', () => {
  const out = `
Number of files: 10 (reg: 9, dir: 1)
Number of created files: 1 (reg: 1)
Number of deleted files: 2 (reg: 2)
Number of regular files transferred: 5
Total file size: 120,345 bytes
Total transferred file size: 53,211 bytes
Literal data: 53,211 bytes
`;
  expect(rsyncStats(out)).toEqual({ files: 5, bytes: 53211, deleted: 2 });
});
