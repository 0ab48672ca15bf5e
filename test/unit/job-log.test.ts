// The job log's pure parts: where it lives (XDG), its name, the line each event becomes, and how the helper
// writes a command line (quoted only where a shell would need it; it is never run by one).
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandLine } from '../../helpers/tools/command-log.ts';
import { JobLog, jobLogDir, jobLogLine, jobLogName } from '../../src-main/services/jobs/job-log.ts';

const at = new Date('2026-12-02T13:45:01.123Z');

describe('job log', () => {
  it.each([
    [{ XDG_STATE_HOME: '/var/state' }, '/var/state/iios/jobs'],
    [{}, '/home/ann/.local/state/iios/jobs'],
    [{ XDG_STATE_HOME: 'relative/ignored' }, '/home/ann/.local/state/iios/jobs'],
  ])('its folder for %j', (env, dir) => expect(jobLogDir(env, '/home/ann')).toBe(dir));

  it('its name sorts by time and keeps the job id, made safe for a file name', () => {
    expect(jobLogName('job-1', at)).toBe('20261202T134501Z-job-1.log');
    expect(jobLogName('a/b c', at)).toBe('20261202T134501Z-a_b_c.log');
  });

  it.each([
    [{ kind: 'progress', targetId: 't1', bytesDone: 1, bytesTotal: 2, speedBps: 1, etaSeconds: 1 }, null],
    [{ kind: 'log', targetId: 't1', level: 'debug', message: '$ sgdisk -Z /dev/sdx' }, '2026-12-02T13:45:01.123Z [t1] debug: $ sgdisk -Z /dev/sdx'],
    [{ kind: 'phase', targetId: 't1', phase: 'esp' }, '2026-12-02T13:45:01.123Z [t1] phase esp'],
    [{ kind: 'target-failed', targetId: 't1', message: 'esp failed: x', cancelled: false }, '2026-12-02T13:45:01.123Z [t1] FAILED: esp failed: x'],
    [{ kind: 'done', results: [{ targetId: 't1', ok: false, verified: false, message: 'm' }] }, '2026-12-02T13:45:01.123Z job done: t1 failed (m)'],
  ] as const)('the line for %j', (e, line) => expect(jobLogLine(e as never, at)).toBe(line));

  it('the file: private, the header names the job and targets, then the events', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iios-job-log-unit-'));
    try {
      const log = await JobLog.open(join(dir, 'iios/jobs'), { jobId: 'j1', profile: { id: 'kiosk' }, targets: [{ id: 't1', path: '/dev/sdx', hostname: 'k-01' }] }, at);
      log.event({ kind: 'phase', targetId: 't1', phase: 'wipe' }, at);
      await log.close();
      expect((await stat(log.path)).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'iios/jobs'))).mode & 0o777).toBe(0o700);
      expect(await readFile(log.path, 'utf8')).toBe(
        '2026-12-02T13:45:01.123Z iios job j1, profile kiosk\n2026-12-02T13:45:01.123Z [t1] target /dev/sdx (k-01)\n2026-12-02T13:45:01.123Z [t1] phase wipe\n',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('command lines are quoted only where a shell would need it', () => {
    expect(commandLine(['mkfs.vfat', ['-n', 'IIOS-ESP', '--offset=2048', '/tmp/a b.img', '524288']])).toBe("mkfs.vfat -n IIOS-ESP --offset=2048 '/tmp/a b.img' 524288");
    expect(commandLine(['tar', ['-c', "it's"]], ['tar', ['-x']])).toBe("tar -c 'it'\\''s' | tar -x");
  });
});
