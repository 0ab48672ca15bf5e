// A normal user's PATH (/usr/local/bin:/usr/bin:/bin) has none of the sbin folders where sgdisk, mkfs.*, losetup,
// blockdev and sfdisk live: the app's runner gives every tool a PATH with them appended, so iios started as a user
// finds its tools. Real runs of real tools, with the user's PATH in this process's environment.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runTool, startTool, toolPath } from '../../src-main/services/run-tool.ts';

const USER_PATH = '/usr/local/bin:/usr/bin:/bin';

describe('the PATH the app gives its tools', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.PATH;
    process.env.PATH = USER_PATH;
  });
  afterEach(() => {
    process.env.PATH = saved;
  });

  it('finds sgdisk, blockdev and sfdisk (in /usr/sbin) with a user PATH that has no sbin folder', async () => {
    expect((await runTool('sgdisk', ['--version'])).stdout).toMatch(/GPT fdisk/);
    expect((await runTool('blockdev', ['--help'], { okExitCodes: [0, 1] })).exitCode).toBeGreaterThanOrEqual(0);
    expect((await runTool('sfdisk', ['--version'])).stdout).toMatch(/sfdisk/);
  });

  it("appends the sbin folders after the user's own entries, once each", async () => {
    const { stdout } = await runTool('sh', ['-c', 'printf %s "$PATH"']);
    expect(stdout).toBe(`${USER_PATH}:/usr/local/sbin:/usr/sbin:/sbin`);
    process.env.PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
    expect((await runTool('sh', ['-c', 'printf %s "$PATH"'])).stdout).toBe('/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin');
  });

  it('a PATH passed by the caller gets the same, and so do long-running children (startTool)', async () => {
    expect((await runTool('sh', ['-c', 'printf %s "$PATH"'], { env: { PATH: '/usr/bin' } })).stdout).toBe('/usr/bin:/usr/local/sbin:/usr/sbin:/sbin');
    const child = await startTool('sgdisk', ['--version'], { reject: false });
    expect(child.exitCode).toBe(0);
    expect(String(child.stdout)).toMatch(/GPT fdisk/);
  });

  it('toolPath: an empty or missing PATH gets the usual bin folders too', () => {
    expect(toolPath(undefined)).toBe('/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin');
    expect(toolPath('')).toBe(toolPath(undefined));
    expect(toolPath('/a::/b:')).toBe('/a:/b:/usr/local/sbin:/usr/sbin:/sbin');
  });
});
