// The flatpak cache: built with `flatpak create-usb` from a throwaway installation that has a signed remote with
// a collection id, then installed with no network into a fresh installation that only knows the remote (its URL
// unreachable), through the link `iios offline` plans in `sideload-repos/`. A rebuild after one more app copies
// that app alone and leaves every object of the first build as it was (bar the commits' detached signatures).
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flatpakBuilder } from '../../src-main/services/caches/kinds/flatpak.ts';
import { flatpakOffline } from '../../src-main/services/caches/offline/flatpak.ts';
import { applyOffline } from '../support/cache-fixtures/apply-offline.ts';
import { buildKind } from '../support/cache-fixtures/build-kind.ts';
import { snapshotDiff, snapshotFiles } from '../support/cache-fixtures/file-snapshot.ts';
import { flatpakIn, remoteAddWithKey, makeFlatpakSource, type FlatpakSource } from '../support/cache-fixtures/flatpak.ts';
import { makeGpgKey, stopGpgAgent, type TestGpgKey } from '../support/cache-fixtures/gpg-key.ts';

let work: string;
let key: TestGpgKey;
let source: FlatpakSource;
let library: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-cache-flatpak-'));
  key = await makeGpgKey(work);
  source = await makeFlatpakSource(work, key);
  await source.addApp('org.example.Hello', 'hello');
  library = join(work, 'library');
  await mkdir(library);
});

afterAll(async () => {
  if (key) await stopGpgAgent(key);
  if (work) await rm(work, { recursive: true, force: true });
});

/** A machine that knows the remote (same collection id and key) but cannot reach it: its private root's
 *  flatpak installation, reached as FLATPAK_USER_DIR so the host's stays untouched. */
async function offlineMachine(name: string): Promise<{ root: string; installation: string }> {
  const root = join(work, name);
  const installation = join(root, 'var/lib/flatpak');
  await mkdir(installation, { recursive: true });
  await remoteAddWithKey(installation, key, 'http://127.0.0.1:9/unreachable');
  return { root, installation };
}

const spec = (refs: string[]) => ({ remote: 'test', refs, installation: source.installation });

describe('flatpak cache', () => {
  it('builds with create-usb, installs offline through the sideload link, and a rebuild copies only the new app', async () => {
    const first = await buildKind(flatpakBuilder, spec(['org.example.Hello']), library);
    expect(first.items).toEqual(['app/org.example.Hello/x86_64/stable', 'runtime/org.example.Platform/x86_64/1']);
    expect(first.newItems).toEqual(first.items);
    expect(first.log.some((l) => l.includes('flatpak create-usb'))).toBe(true);
    const cacheDir = join(library, 'flatpak');

    const machine = await offlineMachine('machine');
    const plan = flatpakOffline.plan({ cacheDir, root: machine.root });
    expect(plan.map((c) => c.path)).toEqual([join(machine.installation, 'sideload-repos/iios-offline')]);
    await applyOffline(plan);
    await flatpakIn(machine.installation, ['install', '-y', '--noninteractive', 'test', 'org.example.Hello']);
    expect(await readFile(join(machine.installation, 'app/org.example.Hello/current/active/files/bin/hello'), 'utf8')).toContain('echo hello');

    const before = await snapshotFiles(cacheDir);
    await source.addApp('org.example.Bye', 'bye');
    const second = await buildKind(flatpakBuilder, spec(['org.example.Hello', 'org.example.Bye']), library);
    expect(second.newItems).toEqual(['app/org.example.Bye/x86_64/stable']);
    const { added, touched } = snapshotDiff(before, await snapshotFiles(cacheDir), '.ostree/repo/objects/');
    expect(added.length).toBeGreaterThan(0);
    // create-usb writes each carried commit's detached signature again (a few hundred bytes); every other object
    // of the first build stays as it was
    expect(touched.filter((p) => !p.endsWith('.commitmeta'))).toEqual([]);
    expect(touched.length).toBeLessThanOrEqual(2);

    // a consumer given the stick's repo by path (no link) installs the new app too
    const other = await offlineMachine('other');
    await flatpakIn(other.installation, ['install', '-y', '--noninteractive', `--sideload-repo=${join(cacheDir, '.ostree/repo')}`, 'test', 'org.example.Bye']);
    expect(await readFile(join(other.installation, 'app/org.example.Bye/current/active/files/bin/hello'), 'utf8')).toContain('echo bye');
  });

  it('refuses a remote without a collection id, and a ref that is not installed, saying what to do', async () => {
    const plain = join(work, 'plain-installation');
    await mkdir(plain);
    await flatpakIn(plain, ['remote-add', '--no-gpg-verify', 'nocid', `file://${source.repo}`]);
    const lib = join(work, 'library-refused');
    await expect(buildKind(flatpakBuilder, { remote: 'nocid', refs: ['org.example.Hello'], installation: plain }, lib)).rejects.toThrow(
      /remote "nocid" has no collection id.*flatpak remote-modify --collection-id=ID nocid/,
    );
    await expect(buildKind(flatpakBuilder, spec(['org.example.Missing']), lib)).rejects.toThrow(
      /org\.example\.Missing is not installed in the installation .*: install it first \(`flatpak install test org\.example\.Missing`\)/,
    );
    await expect(buildKind(flatpakBuilder, { ...spec(['org.example.Hello']), remote: 'elsewhere' }, lib)).rejects.toThrow(/has no remote "elsewhere"/);
  });
});
