// A checkout runs its bundles and rebuilds them itself when its sources are newer (ensure-built.mjs); a packaged
// app (no sources) runs its bundles as they are. Each case runs the real `iios` launcher and the real esbuild
// build in a copy of the checkout (sources, build files, node_modules linked), so edits never touch this one.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, rendererStaleReason, staleReason } from '../../ensure-built.mjs';

const REPO = resolve(import.meta.dirname, '../..');
let copy = '';

async function iios(root: string, args: string[]) {
  const r = await execa(process.execPath, [join(root, 'src-main', 'cli', 'iios.mjs'), ...args], { reject: false, stdin: 'ignore', cwd: tmpdir() });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Rewrites the title line of `iios --help` in the copy's English catalogue (a source edit a developer makes). */
async function setHelpLine(root: string, line: string): Promise<void> {
  const file = join(root, 'src-shared', 'i18n', 'en.ts');
  const text = await readFile(file, 'utf8');
  const edited = text.replace(/('cli\.help\.title': )'iios: [^']*'/, `$1'iios: ${line}'`);
  if (edited === text) throw new Error('the help title is no longer in src-shared/i18n/en.ts');
  await writeFile(file, edited);
}

async function leftovers(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of ['dist', 'dist/cli', 'dist/helper']) {
    for (const name of await readdir(join(root, dir))) if (name.endsWith('.tmp') || name === '.build-lock') found.push(`${dir}/${name}`);
  }
  return found;
}

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'iios-ensure-built-'));
  for (const entry of ['package.json', 'build.mjs', 'ensure-built.mjs', 'src-main', 'src-shared', 'helpers']) {
    await cp(join(REPO, entry), join(copy, entry), { recursive: true });
  }
  await symlink(join(REPO, 'node_modules'), join(copy, 'node_modules'));
}, 60_000);
afterAll(async () => {
  if (copy) await rm(copy, { recursive: true, force: true });
});

describe('a checkout', () => {
  it('builds its CLI and helper bundles on the first run, then runs them as they are', async () => {
    const first = await iios(copy, ['--version']);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/^iios \d+\.\d+\.\d+/);
    expect(staleReason(copy, 'cli')).toBeNull();
    expect(staleReason(copy, 'helper')).toBeNull();
    const inputs = JSON.parse(await readFile(join(copy, 'dist/cli/main.cjs.inputs.json'), 'utf8')) as { inputs: string[] };
    expect(inputs.inputs).toContain('src-main/cli/main.ts');
    expect(ensureBuilt(copy, ['cli', 'helper'])).toEqual([]); // fresh: nothing rebuilt
  }, 180_000);

  it('rebuilds the CLI when a source file is newer than the bundle, and runs the new code', async () => {
    await setHelpLine(copy, 'edited after the build');
    expect(staleReason(copy, 'cli')).toMatch(/src-shared\/i18n\/en\.ts is newer/);
    const r = await iios(copy, ['--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('iios: edited after the build');
    expect(staleReason(copy, 'cli')).toBeNull();
  }, 180_000);

  it('rebuilds when a file the bundle was built from is gone, and when the build script changed', async () => {
    await utimes(join(copy, 'build.mjs'), new Date(), new Date(Date.now() + 5_000));
    expect(staleReason(copy, 'helper')).toMatch(/build\.mjs is newer/);
    const inputsFile = join(copy, 'dist/helper/main.js.inputs.json');
    const inputs = JSON.parse(await readFile(inputsFile, 'utf8')) as { entry: string; inputs: string[] };
    await writeFile(inputsFile, JSON.stringify({ ...inputs, inputs: [...inputs.inputs, 'helpers/removed-since.ts'] }));
    await utimes(join(copy, 'build.mjs'), new Date(), new Date(Date.now() - 3_600_000));
    expect(staleReason(copy, 'helper')).toMatch(/helpers\/removed-since\.ts .*is gone/);
    expect(ensureBuilt(copy, ['helper'])).toEqual(['helper']);
    expect(staleReason(copy, 'helper')).toBeNull();
  }, 180_000);

  it('lets many first runs start at once: every run gets the new code, no half-written file or lock is left', async () => {
    await setHelpLine(copy, 'six at once');
    const runs = await Promise.all([1, 2, 3, 4, 5, 6].map(() => iios(copy, ['--help'])));
    for (const r of runs) {
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('iios: six at once');
    }
    expect(await leftovers(copy)).toEqual([]);
  }, 300_000);

  it('says what failed when the sources do not build, and runs nothing', async () => {
    const file = join(copy, 'src-main', 'cli', 'main.ts');
    const good = await readFile(file, 'utf8');
    await writeFile(file, `${good}\nconst broken: number = ;\n`);
    try {
      const r = await iios(copy, ['--version']);
      expect(r.exitCode).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/could not build dist\/cli\/main\.cjs[\s\S]*main\.ts/);
    } finally {
      await writeFile(file, good);
    }
    expect(await leftovers(copy)).toEqual([]);
  }, 180_000);
});

describe('a packaged app (no sources, no build script)', () => {
  it('runs its bundles as they are, and says so plainly when one is missing', async () => {
    const app = await mkdtemp(join(tmpdir(), 'iios-packaged-'));
    try {
      await cp(join(copy, 'package.json'), join(app, 'package.json'));
      await cp(join(copy, 'ensure-built.mjs'), join(app, 'ensure-built.mjs'));
      await cp(join(copy, 'src-main', 'cli', 'iios.mjs'), join(app, 'src-main', 'cli', 'iios.mjs'));
      // the entry's plain-JavaScript companion: the helper `iios write --yes` starts before the bundle loads
      await cp(join(copy, 'src-main', 'cli', 'early-helper.mjs'), join(app, 'src-main', 'cli', 'early-helper.mjs'));
      await cp(join(copy, 'dist', 'cli'), join(app, 'dist', 'cli'), { recursive: true });
      await cp(join(copy, 'dist', 'helper'), join(app, 'dist', 'helper'), { recursive: true });
      await symlink(join(REPO, 'node_modules'), join(app, 'node_modules')); // the packaged app ships its runtime modules
      // Inputs "newer" than the bundle would make a checkout rebuild; a packaged app has none to read.
      const r = await iios(app, ['--help']);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain('iios: six at once');
      await rm(join(app, 'dist', 'helper', 'main.js'));
      const missing = await iios(app, ['--version']);
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr).toMatch(/dist\/helper\/main\.js missing and this installation has no sources to build it from/);
    } finally {
      await rm(app, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the renderer for `iios serve`', () => {
  it('is stale when missing or older than a renderer or shared source', async () => {
    expect(rendererStaleReason(copy)).toMatch(/dist\/renderer\/index\.html does not exist/);
    await cp(join(REPO, 'src-renderer'), join(copy, 'src-renderer'), { recursive: true });
    await cp(join(REPO, 'vite.config.ts'), join(copy, 'vite.config.ts'));
    await mkdir(join(copy, 'dist', 'renderer'), { recursive: true });
    await writeFile(join(copy, 'dist', 'renderer', 'index.html'), '<!doctype html>');
    await utimes(join(copy, 'dist', 'renderer', 'index.html'), new Date(), new Date(Date.now() + 60_000));
    expect(rendererStaleReason(copy)).toBeNull();
    await utimes(join(copy, 'src-shared', 'job', 'protocol.ts'), new Date(), new Date(Date.now() + 120_000));
    expect(rendererStaleReason(copy)).toMatch(/src-shared\/ has files newer/);
    // back to an ordinary state: sources saved a moment ago, the placeholder "build" older than them
    await utimes(join(copy, 'src-shared', 'job', 'protocol.ts'), new Date(), new Date(Date.now() - 1_000));
    await utimes(join(copy, 'dist', 'renderer', 'index.html'), new Date(), new Date(Date.now() - 3_600_000));
    expect(rendererStaleReason(copy)).toMatch(/has files newer/);
  });

  it('is built by `iios serve` when stale, which then serves it', async () => {
    const child = execa(process.execPath, [join(copy, 'src-main', 'cli', 'iios.mjs'), 'serve'], { reject: false, stdin: 'ignore', all: true, buffer: false });
    let out = '';
    child.all!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const deadline = Date.now() + 280_000;
      while (!/open http:\/\/127\.0\.0\.1:\d+\/#token=/.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(out).toMatch(/iios serve: open http/);
      expect(rendererStaleReason(copy)).toBeNull();
      const html = await readFile(join(copy, 'dist', 'renderer', 'index.html'), 'utf8');
      expect(html).toMatch(/<script[^>]+src="\.\/assets\//);
      const url = /open (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)![1]!;
      expect(await (await fetch(`${url}/index.html`)).text()).toBe(html);
    } finally {
      child.kill('SIGTERM');
      await child;
    }
  }, 300_000);
});
