// `iios write --yes` as root starts its helper before its bundle loads (src-main/cli/early-helper.mjs): a write
// still runs to the end; a request the CLI refuses, in any of its stages, leaves no helper running and no socket
// folder behind. Each run gets a TMPDIR of its own, where the CLI and the helper make their folders.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { earlyToolPath, wantsEarlyHelper } from '../../src-main/cli/early-helper.mjs';
import { toolPath } from '../../src-main/services/run-tool.ts';
import { iios } from '../support/iios-cli.ts';

const isRoot = process.getuid?.() === 0;
let work: string;
let image: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-early-helper-'));
  image = join(work, 'disk.img');
  await writeFile(image, Buffer.alloc(4 * 1024 * 1024, 0x5a));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Helpers still running from this test's TMPDIR (their command line names the socket in it). */
function helpersIn(dir: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => l.includes(`--socket ${dir}/`));
}

async function runIn(name: string, args: string[]) {
  const tmp = join(work, name);
  await rm(tmp, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(tmp));
  const r = await iios(args, { env: { ...process.env, TMPDIR: tmp } });
  // the CLI waits for its helper; an unused one is stopped as the CLI exits
  await new Promise((r) => setTimeout(r, 300));
  return { r, left: (await readdir(tmp)).filter((n) => n.startsWith('iios-job-')), running: helpersIn(tmp) };
}

describe('the helper started ahead by `iios write --yes`', () => {
  it('only for a write with --yes by root, and not for its help', () => {
    expect(wantsEarlyHelper(['write', '--yes'], 0)).toBe(true);
    expect(wantsEarlyHelper(['write', '-y', '--image', 'x'], 0)).toBe(true);
    expect(wantsEarlyHelper(['write', '--yes'], 1000)).toBe(false);
    expect(wantsEarlyHelper(['write'], 0)).toBe(false);
    expect(wantsEarlyHelper(['write', '--yes', '--help'], 0)).toBe(false);
    expect(wantsEarlyHelper(['clone', '--yes'], 0)).toBe(false);
  });

  it('gets the PATH a helper started through the tool runner gets', () => {
    for (const p of [undefined, '', '/a::/b:', '/usr/bin:/usr/sbin', '/usr/local/sbin:/usr/sbin:/sbin:/bin']) expect(earlyToolPath(p)).toBe(toolPath(p));
  });

  it.skipIf(!isRoot)('a write runs to the end with it', async () => {
    const { r, left, running } = await runIn('ok', ['write', '--profile', 'raw', '--image', image, '--target', join(work, 'out.img'), '--size', '64M', '--yes']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(left).toEqual([]);
    expect(running).toEqual([]);
  }, 60_000);

  it.skipIf(!isRoot)('a request refused by the CLI\'s checks (a target too small): no helper left, no folder', async () => {
    const { r, left, running } = await runIn('small', ['write', '--profile', 'raw', '--image', image, '--target', join(work, 'small.img'), '--size', '1M', '--yes']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/refused before writing anything/);
    expect(left).toEqual([]);
    expect(running).toEqual([]);
  }, 60_000);

  it.skipIf(!isRoot)('a usage error before the request is read: no helper left, no folder', async () => {
    for (const args of [['write', '--profile', 'raw', '--target', join(work, 'x.img'), '--yes'], ['write', '--yes', '--no-such-option']]) {
      const { r, left, running } = await runIn('usage', args);
      expect(r.exitCode).toBe(2);
      expect(left).toEqual([]);
      expect(running).toEqual([]);
    }
  }, 60_000);
});
