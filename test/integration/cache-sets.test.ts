// Cache sets end to end, offline, from fixtures made here: `iios caches build` (apt from a local flat repository of
// two .debs where one depends on the other, an OCI image made with umoci, a Homebrew cache folder, plain files),
// `iios write --cache-set` onto a stick, each cache consumed from the mounted stick with its own tool in a private
// state; then one item added, rebuilt, and `iios caches update` writing only that (seen with `btrfs subvolume
// find-new`, which lists the files a subvolume changed since a generation).
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { indexFlatRepo, makeDeb, makeOciArchive } from '../support/cache-fixtures.ts';
import { privateApt, skopeoToDir } from '../support/cache-consumers.ts';
import { iios } from '../support/iios-cli.ts';
import { btrfsSubvolumes, readStamp, withBtrfs } from '../support/written-stick.ts';

const MiB = 1024 ** 2;
let work: string;
let bundle: TestBundle;
let repo: string;
let setFile: string;
let library: string;
let img: string;

function setYaml(packages: string[], images: string[]): string {
  return [
    'format: 1',
    'id: lab',
    'title: Lab software',
    'caches:',
    `  apt: { sources: ["deb [trusted=yes] file:${repo} ./"], packages: [${packages.join(', ')}] }`,
    `  oci: { images: [${images.map((i) => JSON.stringify(i)).join(', ')}] }`,
    `  brew: { path: ${join(work, 'brew')} }`,
    `  files: { path: ${join(work, 'handouts')} }`,
    '',
  ].join('\n');
}

async function makeBrewCache(dir: string): Promise<void> {
  await mkdir(join(dir, 'downloads'), { recursive: true });
  await mkdir(join(dir, 'api'), { recursive: true });
  const bottle = `${'a'.repeat(64)}--hello--2.12.x86_64_linux.bottle.tar.gz`;
  const src = await mkdtemp(join(work, 'bottle-'));
  await writeFile(join(src, 'hello'), 'hello from a bottle\n');
  await execa('tar', ['-C', src, '-czf', join(dir, 'downloads', bottle), 'hello']);
  await symlink(`downloads/${bottle}`, join(dir, 'hello--2.12.x86_64_linux.bottle.tar.gz'));
  await writeFile(join(dir, 'api', 'formula.jws.json'), JSON.stringify({ payload: '[]' }));
  await writeFile(join(dir, 'downloads', 'half.tar.gz.incomplete'), 'cut short');
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-cache-sets-'));
  library = join(work, 'library');
  // the CLI runs as a child process with this environment: the library, the sets and the signing key stay here
  process.env.IIOS_CACHES_DIR = library;
  process.env.XDG_CONFIG_HOME = join(work, 'config');
  repo = join(work, 'repo');
  await mkdir(repo);
  await makeDeb(repo, 'libgreet', '1.0', { payloadBytes: 40_000 });
  await makeDeb(repo, 'greet', '1.0', { depends: 'libgreet (>= 1.0)', payloadBytes: 20_000 });
  await indexFlatRepo(repo);
  await makeOciArchive(work, 'hello', 'team/hello:1', 30_000);
  await makeBrewCache(join(work, 'brew'));
  await mkdir(join(work, 'handouts'));
  await writeFile(join(work, 'handouts', 'welcome.txt'), 'welcome to the lab\n');
  setFile = join(work, 'lab.yaml');
  await writeFile(setFile, setYaml(['greet'], [`oci-archive:${join(work, 'hello.tar')}:team/hello:1`]));
  bundle = await makeBundle({ randomBytes: 1 * MiB, name: 'iios-caches-test', version: '1.0' });
  img = join(work, 'stick.img');
}, 240_000);

afterAll(async () => {
  await bundle?.cleanup();
  if (work) {
    await execa('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: join(work, 'config/iios/apt-key/gnupg') }, reject: false });
    await rm(work, { recursive: true, force: true });
  }
});

const buildJson = async () => {
  const r = await iios(['caches', 'build', setFile, '--json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { kind: string; items: string[]; newItems: string[]; manifestSha256: string; builtAt: string }[];
};

describe('cache sets', () => {
  it('builds every kind, and a second build fetches nothing', async () => {
    const first = await buildJson();
    expect(first.map((k) => k.kind)).toEqual(['apt', 'oci', 'brew', 'files']);
    const apt = first.find((k) => k.kind === 'apt')!;
    expect(apt.items).toEqual(['greet_1.0_all.deb', 'libgreet_1.0_all.deb']);
    expect(apt.newItems).toEqual(apt.items);
    expect(first.find((k) => k.kind === 'oci')!.newItems).toEqual(['team/hello:1']);
    // Homebrew's unfinished download stays behind
    expect(first.find((k) => k.kind === 'brew')!.items).not.toContain('downloads/half.tar.gz.incomplete');
    const again = await buildJson();
    expect(again.map((k) => [k.kind, k.newItems])).toEqual([['apt', []], ['oci', []], ['brew', []], ['files', []]]);
    // nothing changed: the same bytes, so the same manifests (a stick made from either needs no update)
    expect(again.map((k) => k.manifestSha256)).toEqual(first.map((k) => k.manifestSha256));
  }, 120_000);

  it('writes each kind into its own subvolume, stamps the set, and every cache is usable from the stick', async () => {
    const w = await iios(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', img, '--size', '2G', '--cache-set', setFile, '--yes']);
    expect(w.exitCode, w.stderr + w.stdout).toBe(0);
    const subs = await btrfsSubvolumes(img, 'iios-data');
    for (const k of ['apt', 'oci', 'brew', 'files']) expect(subs).toContain(`@caches/${k}`);
    const stamp = (await readStamp(img)) as unknown as { caches: { kind: string; set?: string; builtAt?: string; manifestSha256: string }[] };
    const record = JSON.parse(await readFile(join(library, 'lab', 'apt.build.json'), 'utf8')) as { builtAt: string; manifestSha256: string };
    expect(stamp.caches.find((c) => c.kind === 'apt')).toMatchObject({ set: 'lab', builtAt: record.builtAt, manifestSha256: record.manifestSha256 });
    const inspect = await iios(['inspect', img]);
    expect(inspect.stdout).toMatch(new RegExp(`apt\\s+lab\\s+8\\s+[\\d.]+ kB\\s+${record.builtAt.replace(/\./g, '\\.')}`));
    expect((await iios(['verify', img])).stdout).toMatch(/ok\s+caches: apt, oci, brew, files: manifests match/);

    await withBtrfs(img, 'iios-data', async (mnt) => {
      // apt: the repository's signature checked with the key beside it, the whole closure installable
      const apt = await privateApt(work, { lines: [`deb [signed-by=${mnt}/@caches/apt/iios-archive-key.gpg] file:${mnt}/@caches/apt ./`] });
      const up = await apt.run(['update']);
      expect(up.exitCode, up.stderr).toBe(0);
      expect(up.stderr).not.toMatch(/NO_PUBKEY|not signed|BADSIG/);
      const sim = await apt.run(['install', '-s', 'greet']);
      expect(sim.stdout).toMatch(/Inst libgreet \(1\.0/);
      expect(sim.stdout).toMatch(/Inst greet \(1\.0/);
      expect(await apt.download(['greet', 'libgreet'])).toEqual(['greet_1.0_all.deb', 'libgreet_1.0_all.deb']);
      // oci: the image under the name the set gave it
      expect(await skopeoToDir(join(mnt, '@caches/oci'), 'team/hello:1', join(work, 'hello-out'))).toContain('manifest.json');
      // brew: the folder whole (links inside it, the bottle decompresses)
      const link = join(mnt, '@caches/brew/hello--2.12.x86_64_linux.bottle.tar.gz');
      expect((await execa('tar', ['-tzf', link])).stdout.trim()).toBe('hello');
      expect(await readFile(join(mnt, '@caches/files/welcome.txt'), 'utf8')).toBe('welcome to the lab\n');
    });
  }, 300_000);

  it('caches update writes only the added items, and they are usable', async () => {
    const extraDeb = await makeDeb(repo, 'extra', '2.0', { depends: 'greet', payloadBytes: 50_000 });
    await indexFlatRepo(repo);
    await makeOciArchive(work, 'tool', 'team/tool:3', 40_000);
    await writeFile(setFile, setYaml(['greet', 'extra'], [`oci-archive:${join(work, 'hello.tar')}:team/hello:1`, `oci-archive:${join(work, 'tool.tar')}:team/tool:3`]));
    const built = await buildJson();
    expect(built.find((k) => k.kind === 'apt')!.newItems).toEqual(['extra_2.0_all.deb']);
    expect(built.find((k) => k.kind === 'oci')!.newItems).toEqual(['team/tool:3']);

    const gen = await withBtrfs(img, 'iios-data', async (mnt) => {
      // find-new with a generation beyond any prints the subvolume's latest one ("transid marker was N"); it lists
      // files from the generation it is given onwards, so the next one is where the update starts
      const { stdout } = await execa('btrfs', ['subvolume', 'find-new', join(mnt, '@caches/apt'), '999999999']);
      return Number(/transid marker was (\d+)/.exec(stdout)![1]) + 1;
    });
    const u = await iios(['caches', 'update', img, '--cache-set', setFile, '--yes', '--json']);
    expect(u.exitCode, u.stderr).toBe(0);
    const updated = (JSON.parse(u.stdout) as { updated: { kind: string; bytesWritten: number; filesWritten: number }[] }).updated;
    expect(updated.map((r) => r.kind)).toEqual(['apt', 'oci']);
    const extraBytes = (await stat(extraDeb)).size;
    const aptWrite = updated.find((r) => r.kind === 'apt')!;
    // the new package and the index (Packages, Packages.gz, Release, InRelease), not the packages already there
    expect(aptWrite.filesWritten).toBe(5);
    expect(aptWrite.bytesWritten).toBeGreaterThanOrEqual(extraBytes);
    expect(aptWrite.bytesWritten).toBeLessThan(extraBytes + 8192);

    await withBtrfs(img, 'iios-data', async (mnt) => {
      // the filesystem's own account of which files changed in @caches/apt since before the update
      const { stdout } = await execa('btrfs', ['subvolume', 'find-new', join(mnt, '@caches/apt'), String(gen)]);
      const changed = [...new Set(stdout.split('\n').map((l) => /flags \S+ (.+)$/.exec(l)?.[1]).filter(Boolean))].sort();
      expect(changed).toEqual(['InRelease', 'Packages', 'Packages.gz', 'Release', 'pool/extra_2.0_all.deb']);
      const apt = await privateApt(work, { lines: [`deb [signed-by=${mnt}/@caches/apt/iios-archive-key.gpg] file:${mnt}/@caches/apt ./`] });
      expect((await apt.run(['update'])).exitCode).toBe(0);
      expect(await apt.download(['extra'])).toEqual(['extra_2.0_all.deb']);
      expect(await skopeoToDir(join(mnt, '@caches/oci'), 'team/tool:3', join(work, 'tool-out'))).toContain('manifest.json');
    });
    expect((await readStamp(img)).complete).toBe(true);
    expect((await iios(['verify', img])).stdout).toMatch(/ok\s+caches: apt, oci, brew, files: manifests match/);
    const again = await iios(['caches', 'update', img, '--cache-set', setFile, '--yes']);
    expect(again.stdout).toContain('up to date, nothing written');
  }, 300_000);

  it('verify fails a set kind that is no longer a subvolume of its own, even with every file intact', async () => {
    const copy = join(work, 'flattened.img');
    await execa('cp', ['--sparse=always', img, copy]);
    await withBtrfs(
      copy,
      'iios-data',
      async (mnt) => {
        const c = join(mnt, '@caches');
        await execa('cp', ['-a', join(c, 'files'), join(c, 'files.plain')]);
        await execa('btrfs', ['subvolume', 'delete', join(c, 'files')]);
        await execa('mv', [join(c, 'files.plain'), join(c, 'files')]);
      },
      { readOnly: false },
    );
    const v = await iios(['verify', copy]);
    expect(v.exitCode).not.toBe(0);
    expect(v.stdout).toMatch(/FAIL\s+caches: cache files: @caches\/files is not a subvolume of its own/);
    await rm(copy, { force: true });
  }, 180_000);

  it('refuses to write a library folder changed since its build, or a set never built', async () => {
    const welcome = join(library, 'lab', 'files', 'welcome.txt');
    await writeFile(welcome, 'edited after the build\n');
    const target = join(work, 'refused.img');
    const w = await iios(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', target, '--size', '2G', '--cache-set', setFile, '--yes']);
    expect(w.exitCode).not.toBe(0);
    expect(w.stderr + w.stdout).toContain('changed since cache set lab was built');
    await buildJson();
    const other = join(work, 'other.yaml');
    await writeFile(other, 'format: 1\nid: other\ntitle: Never built\ncaches:\n  files: { path: /tmp }\n');
    const never = await iios(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', target, '--size', '2G', '--cache-set', other, '--yes']);
    expect(never.exitCode).not.toBe(0);
    expect(never.stderr + never.stdout).toContain(`files not built (or its last build did not finish): run iios caches build ${other} first`);
  }, 180_000);

  it('refuses a damaged Homebrew cache, naming the file', async () => {
    const brew = join(work, 'brew-damaged');
    await execa('cp', ['-a', join(work, 'brew'), brew]);
    const bottle = join(brew, 'downloads', `${'a'.repeat(64)}--hello--2.12.x86_64_linux.bottle.tar.gz`);
    const bytes = await readFile(bottle);
    await writeFile(bottle, bytes.subarray(0, bytes.length - 12));
    const set = join(work, 'brew.yaml');
    await writeFile(set, `format: 1\nid: brewonly\ntitle: Brew\ncaches:\n  brew: { path: ${brew} }\n`);
    const r = await iios(['caches', 'build', set]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/--hello--2\.12\.x86_64_linux\.bottle\.tar\.gz: does not decompress/);
  }, 60_000);

  it('iios offline wires apt and oci into a private root, and --disable takes exactly that away', async () => {
    const root = await mkdtemp(join(work, 'root-'));
    await withBtrfs(img, 'iios-data', async (mnt) => {
      const printed = await iios(['offline', '--stick', mnt, '--root', root, '--print']);
      expect(printed.exitCode, printed.stderr).toBe(0);
      expect(printed.stdout).toContain(`deb [signed-by=${mnt}/@caches/apt/iios-archive-key.gpg] file:${mnt}/@caches/apt ./`);
      expect(printed.stdout).toContain(`skopeo copy --quiet oci:${mnt}/@caches/oci:team/tool:3`);
      expect((await execa('find', [root, '-mindepth', '1'])).stdout).toBe('');

      // a file of the same name that iios did not write is never overwritten
      const parts = join(root, 'etc/apt/sources.list.d');
      await mkdir(parts, { recursive: true });
      await writeFile(join(parts, 'iios-offline.list'), '# the administrator\'s own\n');
      const refused = await iios(['offline', '--stick', mnt, '--root', root]);
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toContain('iios-offline.list exists and iios did not write it');
      expect(await readFile(join(parts, 'iios-offline.list'), 'utf8')).toBe("# the administrator's own\n");
      await rm(join(parts, 'iios-offline.list'));

      const on = await iios(['offline', '--stick', mnt, '--root', root]);
      expect(on.exitCode, on.stderr).toBe(0);
      const apt = await privateApt(work, { partsDir: parts });
      expect((await apt.run(['update'])).exitCode).toBe(0);
      expect(await apt.download(['greet'])).toEqual(['greet_1.0_all.deb']);
      const store = `containers-storage:[vfs@${root}/var/lib/containers/storage+${root}/run/containers/storage]`;
      expect((await execa('skopeo', ['inspect', `${store}team/hello:1`], { reject: false })).exitCode).toBe(0);

      const off = await iios(['offline', '--disable', '--root', root]);
      expect(off.exitCode, off.stderr).toBe(0);
      expect(await stat(join(parts, 'iios-offline.list')).catch(() => null)).toBeNull();
      expect((await execa('skopeo', ['inspect', `${store}team/hello:1`], { reject: false })).exitCode).not.toBe(0);
      expect(await stat(join(root, 'var/lib/iios/offline/state.json')).catch(() => null)).toBeNull();
    });
    await execa('umount', ['-R', join(root, 'run/containers/storage/vfs')], { reject: false });
  }, 180_000);
});
