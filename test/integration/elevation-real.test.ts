// Elevation as a real user meets it: an unprivileged user made by the test runs `iios write` from this checkout.
// This machine has pkexec but no system D-Bus, so polkit has no authority: the CLI must say so and fall back to
// sudo (here `sudo -n`: no terminal, --yes). Root only sets the stage and removes the user and rule afterwards.
import { existsSync } from 'node:fs';
import { chmod, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { REPO } from '../support/iios-cli.ts';
import { makeThrowawayUser, type ThrowawayUser } from '../support/throwaway-user.ts';
import { POLKITD, startSystemPolkit, type SystemPolkit } from '../support/system-polkit.ts';

const MiB = 1024 ** 2;
const CLI = join(REPO, 'src-main', 'cli', 'iios.mjs');
const ready = process.getuid?.() === 0 && existsSync('/usr/bin/sudo') && existsSync('/usr/bin/pkexec') && !existsSync('/run/dbus/system_bus_socket');

let bundle: TestBundle;
let user: ThrowawayUser;

beforeAll(async () => {
  if (!ready) return;
  bundle = await makeBundle({ randomBytes: 24 * MiB, name: 'iios-elevation-test', version: '1.0' });
  await chmod(bundle.dir, 0o755);
  for (const f of await readdir(bundle.dir)) await chmod(join(bundle.dir, f), 0o644);
  user = await makeThrowawayUser();
}, 120_000);
afterAll(async () => {
  await user?.cleanup();
  await bundle?.cleanup();
});

const write = (target: string, env?: Record<string, string>) =>
  user.run(process.execPath, [CLI, 'write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', target, '--size', '2G', '--yes'], { IIOS_FROM_SOURCE: '1', ...env });

describe.skipIf(!ready)('iios write as an unprivileged user', () => {
  it('without a sudoers rule and without a terminal: polkit has no authority, sudo -n does not wait; both ways out are named', async () => {
    const target = join(user.home, 'refused.img');
    const r = await write(target);
    const out = r.stdout + r.stderr;
    expect(r.exitCode).not.toBe(0);
    expect(out).toMatch(/polkit is not running \(no polkit authority/);
    expect(out).toMatch(/sudo needs a password and there is no terminal/);
    expect(out).toMatch(/Nothing was written/);
    expect(existsSync(target)).toBe(false);
    expect(r.ms).toBeLessThan(60_000);
  }, 120_000);

  it('with neither pkexec usable nor sudo on PATH: the message names both ways out', async () => {
    const target = join(user.home, 'neither.img');
    const r = await write(target, { PATH: await user.pathWithout(['sudo']) });
    const out = r.stdout + r.stderr;
    expect(r.exitCode).not.toBe(0);
    expect(out).toMatch(/start the system D-Bus and polkitd/);
    expect(out).toMatch(/sudo is not installed/);
    expect(existsSync(target)).toBe(false);
  }, 120_000);

  it('with a sudoers rule: elevates through sudo, writes and verifies an image file that belongs to the user', async () => {
    await user.allowSudo();
    const target = join(user.home, 'mine.img');
    const r = await write(target);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const st = await stat(target);
    expect({ uid: st.uid, gid: st.gid, mode: (st.mode & 0o777).toString(8) }).toEqual({ uid: user.uid, gid: user.gid, mode: '644' });
    // The user can do with it what they want: delete it without root.
    const del = await user.run('/usr/bin/rm', [target]);
    expect(del.exitCode, del.stderr).toBe(0);
  }, 300_000);
});

describe.skipIf(!ready)('iios write at a terminal, as a user whose sudo asks for a password', () => {
  let pwUser: ThrowawayUser;
  beforeAll(async () => {
    pwUser = await makeThrowawayUser('iiosp');
    await pwUser.allowSudoWithPassword('iios-test-pw');
  });
  afterAll(async () => pwUser?.cleanup());

  it('sudo asks in that terminal; the file written follows the user umask (027 → 0640) and belongs to them', async () => {
    const target = join(pwUser.home, 'typed.img');
    const r = await pwUser.run(
      process.execPath,
      [CLI, 'write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', target, '--size', '2G', '--yes'],
      { IIOS_FROM_SOURCE: '1' },
      { umask: '027', terminal: [{ when: /\[sudo\] password for/, typed: 'iios-test-pw\n' }] },
    );
    expect(r.stdout).toMatch(/\[sudo\] password for iiosp/);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const st = await stat(target);
    expect({ uid: st.uid, gid: st.gid, mode: (st.mode & 0o777).toString(8) }).toEqual({ uid: pwUser.uid, gid: pwUser.gid, mode: '640' });
  }, 300_000);

  it('Ctrl-C in that terminal mid-write cancels through the socket: the helper cleans up (no loop device left) instead of dying', async () => {
    const target = join(pwUser.home, 'interrupted.img');
    const r = await pwUser.run(
      process.execPath,
      [CLI, 'write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', target, '--size', '2G', '--yes'],
      { IIOS_FROM_SOURCE: '1' },
      { terminal: [{ when: /\[sudo\] password for/, typed: 'iios-test-pw\n' }, { when: /slots|verity|btrfs/, typed: '\x03' }] },
    );
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/cancelling/);
    expect(out).not.toMatch(/connection to the helper closed/);
    expect(r.exitCode, out).toBe(130);
    expect((await execa('losetup', ['-j', target])).stdout.trim()).toBe('');
  }, 300_000);
});

// Last in this file: the tests above need a machine without a system bus, so the bus started here must not overlap them.
describe.skipIf(!ready || !existsSync(POLKITD))('iios write through pkexec, with a system D-Bus and polkitd started by the test', () => {
  let polkit: SystemPolkit;
  let pkUser: ThrowawayUser;
  beforeAll(async () => {
    pkUser = await makeThrowawayUser('iiosk');
    polkit = await startSystemPolkit();
  }, 60_000);
  afterAll(async () => {
    await polkit?.stop();
    await pkUser?.cleanup();
  });
  const writeAs = (target: string) =>
    pkUser.run(process.execPath, [CLI, 'write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', target, '--size', '2G', '--yes'], { IIOS_FROM_SOURCE: '1' });

  it('no rule and no authentication agent: says so, and names sudo as the other way out; nothing written', async () => {
    const target = join(pkUser.home, 'no-agent.img');
    const r = await writeAs(target);
    const out = r.stdout + r.stderr;
    expect(r.exitCode).not.toBe(0);
    expect(out).toMatch(/no polkit authentication agent is running.*start iios from your desktop session/);
    expect(out).toMatch(/sudo needs a password/);
    expect(existsSync(target)).toBe(false);
  }, 120_000);

  it('a rule that denies: "not allowed", no fallback, nothing written', async () => {
    await polkit.rule(pkUser.name, 'NO');
    const target = join(pkUser.home, 'denied.img');
    const r = await writeAs(target);
    const out = r.stdout + r.stderr;
    expect(r.exitCode).not.toBe(0);
    expect(out).toMatch(/you are not allowed to get administrator rights/);
    expect(out).not.toMatch(/sudo needs a password/);
    expect(existsSync(target)).toBe(false);
  }, 120_000);

  it('a rule that allows: writes and verifies an image file that belongs to the user (PKEXEC_UID)', async () => {
    await polkit.rule(pkUser.name, 'YES');
    const target = join(pkUser.home, 'allowed.img');
    const r = await writeAs(target);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const st = await stat(target);
    expect({ uid: st.uid, gid: st.gid, mode: (st.mode & 0o777).toString(8) }).toEqual({ uid: pkUser.uid, gid: pkUser.gid, mode: '644' });
  }, 300_000);
});
