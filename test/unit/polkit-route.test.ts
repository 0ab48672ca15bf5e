// The pkexec route to the helper: the installed policy must name the wrapper exactly where a deb/rpm install puts
// it, the wrapper must start the bundled helper with the app's own binary, and pkexec's answers must read right.
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultElevationDeps, startHelper, type ElevationDeps } from '../../src-main/services/elevation/elevation.ts';
import { findPolkitRoute, helperWrapperPath, PKEXEC, POLKIT_ACTION_FILE, policyExecPath } from '../../src-main/services/elevation/polkit-route.ts';

const REPO = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'iios-polkit-'));
  dirs.push(d);
  return d;
};

describe('polkit route', () => {
  it('the shipped policy names the wrapper where a deb/rpm install puts it (/opt/iios, resources beside the binary)', async () => {
    const xml = await readFile(join(REPO, 'resources', 'linux', 'io.iios.helper.policy'), 'utf8');
    expect(policyExecPath(xml)).toBe(helperWrapperPath('/opt/iios/resources'));
    const builder = await readFile(join(REPO, 'electron-builder.yml'), 'utf8');
    expect(builder).toMatch(/^executableName: iios$/m);
    const install = await readFile(join(REPO, 'resources', 'linux', 'after-install.sh'), 'utf8');
    expect(install).toContain(helperWrapperPath('/opt/iios/resources'));
  });

  it('is used only when pkexec, the wrapper and an action naming exactly that wrapper are all installed', () => {
    const root = '/opt/iios/resources';
    const policy = `<annotate key="org.freedesktop.policykit.exec.path">${helperWrapperPath(root)}</annotate>`;
    const files = new Map([[PKEXEC, ''], [helperWrapperPath(root), ''], [POLKIT_ACTION_FILE, policy]]);
    const fs = (m: Map<string, string>) => ({ exists: (p: string) => m.has(p), read: (p: string) => m.get(p)! });
    expect(findPolkitRoute(root, fs(files))).toEqual({ pkexec: PKEXEC, wrapper: helperWrapperPath(root) });
    // an AppImage mounted elsewhere: the installed action names another path, pkexec would not match it
    expect(findPolkitRoute('/tmp/.mount_iiosXYZ/resources', fs(files))).toBeNull();
    for (const missing of [PKEXEC, helperWrapperPath(root), POLKIT_ACTION_FILE]) {
      const less = new Map(files);
      less.delete(missing);
      expect(findPolkitRoute(root, fs(less)), missing).toBeNull();
    }
  });

  it('the wrapper runs <install>/iios as Node on the bundled helper with only the given arguments, also through a symlink', async () => {
    const inst = await tempDir();
    await mkdir(join(inst, 'resources', 'resources', 'linux'), { recursive: true });
    const wrapper = join(inst, 'resources', 'resources', 'linux', 'iios-helper');
    await copyFile(join(REPO, 'resources', 'linux', 'iios-helper'), wrapper);
    await chmod(wrapper, 0o755);
    // stands in for the Electron binary: prints what it was started with
    await writeFile(join(inst, 'iios'), '#!/bin/sh\necho "ELECTRON_RUN_AS_NODE=$ELECTRON_RUN_AS_NODE $*"\n', { mode: 0o755 });
    const direct = await run(wrapper, ['--socket', '/run/x/s', '--token', 'ab12']);
    expect(direct.stdout.trim()).toBe(`ELECTRON_RUN_AS_NODE=1 ${join(inst, 'resources', 'dist', 'helper', 'main.js')} --socket /run/x/s --token ab12`);
    const link = join(await tempDir(), 'helper-link');
    await symlink(wrapper, link);
    expect((await run(link, ['--token', 't'])).stdout.trim()).toBe(`ELECTRON_RUN_AS_NODE=1 ${join(inst, 'resources', 'dist', 'helper', 'main.js')} --token t`);
  });

  it.each([
    [0, { cancelled: false, code: 0 }],
    [126, { cancelled: true, message: expect.stringMatching(/password prompt was dismissed/), elevation: { reason: 'dismissed' } }],
    [127, { cancelled: false, message: expect.stringMatching(/not allowed to get administrator rights.*no agent here/), elevation: { reason: 'not-authorized' } }],
  ])('starts `pkexec <wrapper> …args` and reads its exit %i', async (code, expected) => {
    const dir = await tempDir();
    const pkexec = join(dir, 'pkexec');
    const log = join(dir, 'args');
    await writeFile(pkexec, `#!/bin/sh\necho "$@" > ${log}\n[ ${code} -ne 127 ] || echo "no agent here" >&2\nexit ${code}\n`, { mode: 0o755 });
    const deps: ElevationDeps = {
      ...defaultElevationDeps(),
      isRoot: () => false,
      sudoExec: () => {
        throw new Error('sudo-prompt must not be used when the polkit route exists');
      },
      polkit: { pkexec, wrapper: '/opt/iios/resources/resources/linux/iios-helper' },
    };
    const exit = await startHelper({ file: '/usr/bin/node', args: ['/x/main.js'], cwd: '/' }, ['--socket', '/run/s', '--token', 'ab12'], deps).exited;
    expect(exit).toMatchObject(expected);
    expect((await readFile(log, 'utf8')).trim()).toBe('/opt/iios/resources/resources/linux/iios-helper --socket /run/s --token ab12');
  });
});
