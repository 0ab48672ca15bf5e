// The Electron main bundle (dist/main/main.cjs, CommonJS) starts the helper the way `npm start` from a clone
// does. Electron cannot run here, so its helper resolution is bundled with main.cjs's own esbuild options and run
// in plain Node: it must name the built helper, and that helper must start and say hello on the app's socket.
// (It once resolved tsx through import.meta.resolve, which a CommonJS bundle does not have.)
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const out = join(REPO, 'dist', `test-main-bundle-${process.pid}`); // inside the checkout: appRoot() finds it from there
let work = '';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-main-bundle-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the main bundle', () => {
  it('builds without esbuild warning that import.meta is empty in CommonJS', async () => {
    const r = await execa(process.execPath, [join(REPO, 'build.mjs'), 'main'], { cwd: REPO, all: true, reject: false });
    expect(r.exitCode).toBe(0);
    expect(r.all).not.toMatch(/import\.meta/);
    const bundle = await readFile(join(REPO, 'dist', 'main', 'main.cjs'), 'utf8');
    expect(bundle).toContain('helper/main.js'); // the helper resolution is in it
    expect(bundle).not.toMatch(/\bimport_meta\d*\b/); // esbuild's stand-in for an empty import.meta
  }, 180_000);

  it("resolves the built helper in plain Node, and that helper starts and says hello on the app's socket", async () => {
    const entry = join(out, 'helper-launch.cjs');
    const build = `import(${JSON.stringify(pathToFileURL(join(REPO, 'build.mjs')).href)}).then((m) => m.buildLike('main', {
      stdin: { contents: "export { helperCommand, startHelper, defaultElevationDeps } from './src-main/services/elevation/elevation.ts'; export { appRoot } from './src-main/services/app/app-info.ts';", resolveDir: ${JSON.stringify(REPO)}, loader: 'ts' },
      outfile: ${JSON.stringify(entry)},
    }))`;
    await execa(process.execPath, ['--input-type=module', '-e', build], { cwd: REPO });

    const script = join(work, 'launch.cjs');
    await writeFile(
      script,
      `
const net = require('node:net');
const { join } = require('node:path');
const m = require(${JSON.stringify(entry)});
const root = m.appRoot();
const cmd = m.helperCommand({ root });
const sock = join(${JSON.stringify(work)}, 'helper.sock');
const server = net.createServer((s) => {
  s.setEncoding('utf8');
  let buf = '';
  s.on('data', (d) => {
    buf += d;
    if (!buf.includes('\\n')) return;
    process.stdout.write(JSON.stringify({ root, cmd, hello: JSON.parse(buf.slice(0, buf.indexOf('\\n'))) }) + '\\n');
    s.destroy(); // the helper cancels and exits when its socket closes
    server.close();
  });
});
server.listen(sock, () => {
  const proc = m.startHelper(cmd, ['--socket', sock], { ...m.defaultElevationDeps(), isRoot: () => true });
  proc.exited.then((exit) => process.stdout.write(JSON.stringify({ exit }) + '\\n'));
});
`,
    );
    const r = await execa(process.execPath, [script], { cwd: work, reject: false, timeout: 120_000 });
    expect(r.stderr).toBe('');
    const [launched, ended] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, never>);
    const { root, cmd, hello } = launched as unknown as { root: string; cmd: { file: string; args: string[] }; hello: { type: string; pid: number } };
    expect(root).toBe(REPO);
    expect(cmd.file).toBe(process.execPath);
    expect(cmd.args).toEqual([join(REPO, 'dist', 'helper', 'main.js')]);
    expect(hello).toMatchObject({ type: 'hello', pid: expect.any(Number) });
    expect((ended as unknown as { exit: { stderr: string } }).exit.stderr).toMatch(/cancelling \(the app closed the connection\)/);
  }, 180_000);
});
