// Whose code gets root, as a real user meets it: an unprivileged user made by the test runs iios
// - from this checkout (a developer setup): the sudo prompt in their terminal and the job's log say so;
// - from an installed copy (bundles and resources only, as a package lays them out, owned by root): elevation is
//   tried as usual; with the helper bundle owned by the user, or a folder above it writable by a group, iios
//   refuses before any prompt and nothing is written, although the user's sudo would have let the helper run.
import { existsSync } from 'node:fs';
import { chmod, chown, cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { iios, REPO } from '../support/iios-cli.ts';
import { makeThrowawayUser, type ThrowawayUser } from '../support/throwaway-user.ts';

const MiB = 1024 ** 2;
const CLI = join(REPO, 'src-main', 'cli', 'iios.mjs');
const ready = process.getuid?.() === 0 && existsSync('/usr/bin/sudo');

let bundle: TestBundle;
let user: ThrowawayUser;
let install = '';

/**
 * What a package installs: the built bundles, the CLI entry (iios.mjs and the early-helper.mjs it imports),
 * resources, package.json and the one native module the bundles leave out (drivelist, with what it loads); no
 * sources, no build script.
 */
async function makeInstall(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'iios-installed-'));
  await chmod(dir, 0o755);
  const modules = ['drivelist', 'bindings', 'file-uri-to-path', 'debug', 'ms'].map((m) => `node_modules/${m}`);
  for (const part of ['package.json', 'ensure-built.mjs', 'src-main/cli/iios.mjs', 'src-main/cli/early-helper.mjs', 'dist/cli', 'dist/helper', 'resources/profiles', ...modules]) {
    await mkdir(join(dir, part, '..'), { recursive: true });
    await cp(join(REPO, part), join(dir, part), { recursive: true });
  }
  return dir;
}

beforeAll(async () => {
  if (!ready) return;
  bundle = await makeBundle({ randomBytes: 24 * MiB, name: 'iios-trust-test', version: '1.0' });
  await chmod(bundle.dir, 0o755);
  for (const f of await readdir(bundle.dir)) await chmod(join(bundle.dir, f), 0o644);
  user = await makeThrowawayUser('iiosr');
  // the bundles built from the sources as they are now (by root: the user cannot write to the checkout)
  const built = await iios(['--version']);
  expect(built.exitCode, built.stderr).toBe(0);
  install = await makeInstall();
}, 300_000);
afterAll(async () => {
  await user?.cleanup();
  await bundle?.cleanup();
  if (install) await rm(install, { recursive: true, force: true });
});

const writeArgs = (target: string) => ['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', target, '--size', '2G', '--yes'];
const installed = (target: string) => user.run(process.execPath, [join(install, 'src-main/cli/iios.mjs'), ...writeArgs(target)]);

describe.skipIf(!ready)('a developer setup (this checkout) says so', () => {
  let pwUser: ThrowawayUser;
  beforeAll(async () => {
    pwUser = await makeThrowawayUser('iiosd');
    await pwUser.allowSudoWithPassword('iios-dev-pw');
  });
  afterAll(async () => pwUser?.cleanup());

  it('in the sudo prompt of the terminal and at the top of the job log', async () => {
    const target = join(pwUser.home, 'dev.img');
    const r = await pwUser.run(process.execPath, [CLI, ...writeArgs(target)], { IIOS_FROM_SOURCE: '1' }, { terminal: [{ when: /\[sudo\] password for/, typed: 'iios-dev-pw\n' }] });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.replace(/\r?\n/g, ' ')).toMatch(new RegExp(`iios is running a developer setup: the helper that runs as root is loaded from ${REPO}/? \\(a checkout with node_modules\\).*\\[sudo\\] password for ${pwUser.name}`));
    const logPath = /log: (\S+\.log)/.exec(r.stdout + r.stderr)?.[1];
    expect(logPath, r.stdout + r.stderr).toBeTruthy();
    const log = await readFile(logPath!, 'utf8');
    expect(log.split('\n').slice(0, 4).join('\n')).toMatch(/iios: running a developer setup: the helper that runs as root is loaded from /);
  }, 300_000);
});

describe.skipIf(!ready)('an installed iios runs a helper only root can change', () => {
  it('owned by root and writable only by root: no complaint, elevation is tried as usual', async () => {
    const target = join(user.home, 'trusted.img');
    const r = await installed(target);
    const out = r.stdout + r.stderr;
    // no sudoers rule and no terminal: refused by the elevation tools (their own words), not by the check
    expect(r.exitCode, out).not.toBe(0);
    expect(out).toMatch(/sudo needs a password and there is no terminal|not authorized|no polkit/);
    expect(out).not.toMatch(/refusing to run the helper as root|developer setup/);
    expect(existsSync(target)).toBe(false);
  }, 120_000);

  it('the helper bundle owned by the user: refused before any prompt, nothing written, although sudo would allow it', async () => {
    await user.allowSudo();
    const helper = join(install, 'dist/helper/main.js');
    await chown(helper, user.uid, user.gid);
    try {
      const target = join(user.home, 'owned.img');
      const r = await installed(target);
      const out = r.stdout + r.stderr;
      expect(r.exitCode, out).not.toBe(0);
      expect(out).toMatch(new RegExp(`refusing to run the helper as root: its files can be changed without administrator rights \\(${helper} belongs to uid ${user.uid}, not root\\)`));
      expect(out).toMatch(/reinstall it from its package/);
      expect(existsSync(target)).toBe(false);
    } finally {
      await chown(helper, 0, 0);
    }
  }, 300_000);

  it('a folder above the helper writable by a group: refused, naming the folder', async () => {
    const folder = join(install, 'dist');
    await chmod(folder, 0o775);
    try {
      const target = join(user.home, 'group.img');
      const r = await installed(target);
      const out = r.stdout + r.stderr;
      expect(r.exitCode, out).not.toBe(0);
      expect(out).toMatch(new RegExp(`${folder} is writable by its group`));
      expect(existsSync(target)).toBe(false);
    } finally {
      await chmod(folder, 0o755);
    }
  }, 300_000);
});
