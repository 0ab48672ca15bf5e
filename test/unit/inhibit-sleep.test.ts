// The CLI's sleep block with real processes: held while its child runs and released at the end; a tool that
// fails at once (no logind bus, as in a container) or is missing gives a reason instead of a silent no-op.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inhibitSleep } from '../../src-main/cli/inhibit-sleep.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iios-inhibit-'));
  // stands in for systemd-inhibit where logind answers: runs its command (the real `sleep infinity`)
  await writeFile(join(dir, 'holds'), '#!/bin/sh\nwhile [ "${1#--}" != "$1" ]; do shift; done\nexec "$@"\n');
  await writeFile(join(dir, 'nobus'), '#!/bin/sh\necho "Failed to connect to bus: No such file or directory" >&2\nexit 1\n');
  await chmod(join(dir, 'holds'), 0o755);
  await chmod(join(dir, 'nobus'), 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sleep block for the CLI', () => {
  it('holds while the job runs and ends the holder on release', async () => {
    const block = await inhibitSleep('test', 300, join(dir, 'holds'));
    expect(block.problem).toBeNull();
    block.release();
  });

  it('says why sleep is not blocked when logind is not there', async () => {
    const block = await inhibitSleep('test', 2000, join(dir, 'nobus'));
    expect(block.problem).toMatch(/may sleep during the job: .*exited 1: Failed to connect to bus/);
  });

  it('says so when systemd-inhibit is missing', async () => {
    const block = await inhibitSleep('test', 2000, join(dir, 'no-such-tool'));
    expect(block.problem).toMatch(/is not available/);
  });
});
