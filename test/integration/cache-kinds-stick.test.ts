// flatpak, ostree, rpm and squid caches through the whole product, offline, from fixtures made here: `iios caches
// build` of one set, `iios write --cache-set` onto a stick, `iios offline --root` wiring the mounted stick into a
// private root, and each cache consumed from the stick with its ecosystem's own tool; then one item more per kind,
// rebuilt (only that item new) and `iios caches update` writing it, usable from the stick in its turn.
import { execa } from 'execa';
import { chmod, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { iios } from '../support/iios-cli.ts';
import { btrfsSubvolumes, withBtrfs } from '../support/written-stick.ts';
import { flatpakIn, remoteAddWithKey, makeFlatpakSource, type FlatpakSource } from '../support/cache-fixtures/flatpak.ts';
import { makeGpgKey, stopGpgAgent, type TestGpgKey } from '../support/cache-fixtures/gpg-key.ts';
import { makeOstreeSource, ostreeMachineRepo, type OstreeSource } from '../support/cache-fixtures/ostree.ts';
import { makeRpmSource, type RpmSource } from '../support/cache-fixtures/rpm.ts';
import { curlVia, startOrigin, startSquid, type Origin, type TestSquid } from '../support/cache-fixtures/squid.ts';

const STABLE = 'iios/os/x86_64/stable';
const TESTING = 'iios/os/x86_64/testing';
const KINDS = ['flatpak', 'ostree', 'rpm', 'squid'];
let work: string;
let key: TestGpgKey;
let flatpak: FlatpakSource;
let ostree: OstreeSource;
let rpm: RpmSource;
let origin: Origin;
let bundle: TestBundle;
let setFile: string;
let img: string;
const squids: TestSquid[] = [];
const iso = randomBytes(200 * 1024);
const tarball = randomBytes(50 * 1024);

function setYaml(more: boolean): string {
  return [
    'format: 1',
    'id: kinds',
    'title: flatpak, ostree, rpm and squid',
    'caches:',
    `  flatpak: { remote: test, installation: ${flatpak.installation}, refs: [org.example.Hello${more ? ', org.example.Bye' : ''}] }`,
    `  ostree: { repo: ${ostree.repo}, refs: [${STABLE}${more ? `, ${TESTING}` : ''}] }`,
    `  rpm: { repos: ["${rpm.repo}"], packages: [greet${more ? ', extra' : ''}] }`,
    `  squid: { urls: ["${origin.url('os.iso')}"${more ? `, "${origin.url('tools.tar')}"` : ''}] }`,
    '',
  ].join('\n');
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-cache-kinds-'));
  // run as root, squid works as "proxy", who must reach the library inside
  await chmod(work, 0o755);
  process.env.IIOS_CACHES_DIR = join(work, 'library');
  process.env.XDG_CONFIG_HOME = join(work, 'config');
  key = await makeGpgKey(work);
  flatpak = await makeFlatpakSource(work, key);
  await flatpak.addApp('org.example.Hello', 'hello');
  ostree = await makeOstreeSource(work, key);
  await ostree.commit(STABLE, 'one');
  rpm = await makeRpmSource(work);
  await rpm.add('libgreet', { text: 'hello from libgreet' });
  await rpm.add('greet', { requires: 'libgreet' });
  origin = await startOrigin();
  origin.set('os.iso', iso);
  setFile = join(work, 'kinds.yaml');
  await writeFile(setFile, setYaml(false));
  bundle = await makeBundle({ randomBytes: 1024 * 1024, name: 'iios-cache-kinds-test', version: '1.0' });
  img = join(work, 'stick.img');
}, 240_000);

afterAll(async () => {
  for (const s of squids) await s.stop();
  await origin?.stop();
  await bundle?.cleanup();
  if (key) await stopGpgAgent(key);
  if (work) await rm(work, { recursive: true, force: true });
});

const build = async () => {
  const r = await iios(['caches', 'build', setFile, '--json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return Object.fromEntries((JSON.parse(r.stdout) as { kind: string; newItems: string[] }[]).map((k) => [k.kind, k.newItems]));
};

/** `iios offline` wires the mounted stick into a private root (a fresh one per round). */
async function wire(mnt: string, name: string): Promise<string> {
  const root = join(work, name);
  const r = await iios(['offline', '--stick', mnt, '--root', root, ...KINDS.flatMap((k) => ['--enable', k])]);
  expect(r.exitCode, r.stderr).toBe(0);
  return root;
}

/** flatpak: the root's installation knows the remote (URL unreachable) and has the stick linked in sideload-repos. */
async function flatpakInstall(root: string, app: string): Promise<string> {
  const installation = join(root, 'var/lib/flatpak');
  await remoteAddWithKey(installation, key, 'http://127.0.0.1:9/unreachable');
  await flatpakIn(installation, ['install', '-y', '--noninteractive', 'test', app]);
  return readFile(join(installation, 'app', app, 'current/active/files/bin/hello'), 'utf8');
}

async function ostreePull(mnt: string, name: string, ref: string): Promise<string> {
  const repo = join(work, name);
  await ostreeMachineRepo(repo, key, 'origin', 'http://127.0.0.1:9/unreachable');
  await execa('ostree', ['pull-local', `--repo=${repo}`, '--remote=origin', '--gpg-verify', join(mnt, '@caches/ostree'), ref]);
  return (await execa('ostree', ['cat', `--repo=${repo}`, `origin:${ref}`, '/usr/share/hello'])).stdout;
}

/** dnf installs into the root from the repo file iios offline wrote there, with the source repository away. */
async function dnfInstall(root: string, pkg: string): Promise<void> {
  await writeFile(join(root, 'dnf.conf'), '[main]\n');
  const away = `${rpm.repo}.away`;
  await rename(rpm.repo, away);
  try {
    await execa('dnf', ['-q', '-y', `--config=${root}/dnf.conf`, `--installroot=${root}/sysroot`, `--setopt=reposdir=${root}/etc/yum.repos.d`, `--setopt=cachedir=${root}/dnf-cache`, '--releasever=40', '--nogpgcheck', 'install', pkg]);
  } finally {
    await rename(away, rpm.repo);
  }
}

/** squid with the conf.d file iios offline wrote, the origin stopped; the body of each URL and the access log. */
async function squidFetch(root: string, urls: string[]): Promise<{ bodies: Buffer[]; log: string }> {
  const conf = await readFile(join(root, 'etc/squid/conf.d/iios-offline.conf'), 'utf8');
  await origin.stop();
  const squid = await startSquid(join(work, `${root}-squid`.replaceAll('/', '_')), conf.split('\n'));
  squids.push(squid);
  try {
    const bodies: Buffer[] = [];
    for (const u of urls) {
      const r = await curlVia(squid.port, u);
      expect(r.status, u).toBe(200);
      bodies.push(r.body);
    }
    return { bodies, log: await squid.accessLog() };
  } finally {
    await squid.stop();
    await origin.restart();
  }
}

describe('flatpak, ostree, rpm and squid caches on a stick', () => {
  it('are built, written each into its own subvolume, and used from the mounted stick', async () => {
    const first = await build();
    expect(Object.keys(first)).toEqual(KINDS);
    const w = await iios(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', img, '--size', '2G', '--cache-set', setFile, '--yes']);
    expect(w.exitCode, w.stderr + w.stdout).toBe(0);
    const subs = await btrfsSubvolumes(img, 'iios-data');
    for (const k of KINDS) expect(subs).toContain(`@caches/${k}`);
    expect((await iios(['verify', img])).stdout).toMatch(/ok\s+caches: flatpak, ostree, rpm, squid: manifests match/);

    // read-write: squid keeps its swap.state in the cache_dir
    await withBtrfs(
      img,
      'iios-data',
      async (mnt) => {
        const root = await wire(mnt, 'machine');
        expect(await flatpakInstall(root, 'org.example.Hello')).toContain('echo hello');
        expect(await ostreePull(mnt, 'ostree-machine', STABLE)).toBe('one');
        await dnfInstall(root, 'greet');
        expect(await readFile(join(root, 'sysroot/usr/share/libgreet/text'), 'utf8')).toBe('hello from libgreet\n');
        const s = await squidFetch(root, [origin.url('os.iso')]);
        expect(s.bodies[0]!.equals(iso)).toBe(true);
        expect(s.log).toMatch(/TCP_OFFLINE_HIT\/200/);
        expect((await iios(['offline', '--disable', '--root', root])).exitCode).toBe(0);
      },
      { readOnly: false },
    );
  }, 600_000);

  it('one item more per kind: rebuilt (only it new), written by caches update, and used from the stick', async () => {
    await flatpak.addApp('org.example.Bye', 'bye');
    await ostree.commit(TESTING, 'two');
    await rpm.add('extra', { requires: 'libgreet' });
    origin.set('tools.tar', tarball);
    await writeFile(setFile, setYaml(true));
    const second = await build();
    expect(second).toEqual({
      flatpak: ['app/org.example.Bye/x86_64/stable'],
      ostree: [TESTING],
      rpm: ['extra-1.0-1.noarch.rpm'],
      squid: [origin.url('tools.tar')],
    });
    const u = await iios(['caches', 'update', img, '--cache-set', setFile, '--yes', '--json']);
    expect(u.exitCode, u.stderr).toBe(0);
    const updated = (JSON.parse(u.stdout) as { updated: { kind: string; bytesWritten: number }[] }).updated;
    expect(updated.map((r) => r.kind).sort()).toEqual(KINDS);
    const squidWrite = updated.find((r) => r.kind === 'squid')!;
    expect(squidWrite.bytesWritten).toBeGreaterThanOrEqual(tarball.length);
    expect(squidWrite.bytesWritten).toBeLessThan(iso.length);
    expect((await iios(['verify', img])).stdout).toMatch(/ok\s+caches: flatpak, ostree, rpm, squid: manifests match/);

    await withBtrfs(
      img,
      'iios-data',
      async (mnt) => {
        const root = await wire(mnt, 'machine2');
        expect(await flatpakInstall(root, 'org.example.Bye')).toContain('echo bye');
        expect(await ostreePull(mnt, 'ostree-machine2', TESTING)).toBe('two');
        await dnfInstall(root, 'extra');
        expect(await readFile(join(root, 'sysroot/usr/share/extra/text'), 'utf8')).toBe('extra\n');
        const s = await squidFetch(root, [origin.url('tools.tar'), origin.url('os.iso')]);
        expect(s.bodies[0]!.equals(tarball)).toBe(true);
        expect(s.bodies[1]!.equals(iso)).toBe(true);
        expect((await iios(['offline', '--disable', '--root', root])).exitCode).toBe(0);
      },
      { readOnly: false },
    );
  }, 600_000);
});
