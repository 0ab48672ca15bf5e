// The job log's line on how the helper got root: pkexec and sudo name the user through their own variables.
// (The GUI e2e test, test/e2e/elevation-gui.test.ts, reads the pkexec line from a real job log.)
import { describe, expect, it } from 'vitest';
import { startedByLine } from '../../helpers/file-owner.ts';

describe('startedByLine', () => {
  it.each([
    [{ PKEXEC_UID: '1001' }, 0, 'helper running as root, started through pkexec for uid 1001 (PKEXEC_UID=1001)'],
    [{ PKEXEC_UID: '1001', SUDO_UID: '1000' }, 0, 'helper running as root, started through pkexec for uid 1001 (PKEXEC_UID=1001)'],
    [{ SUDO_UID: '1000' }, 0, 'helper running as root, started through sudo for uid 1000 (SUDO_UID=1000)'],
    [{ SUDO_UID: '0' }, 0, 'helper running as root, started without pkexec or sudo'],
    [{}, 0, 'helper running as root, started without pkexec or sudo'],
    [{}, 1000, 'helper running as uid 1000, started without pkexec or sudo'],
  ])('%j as uid %d', (env, uid, line) => {
    expect(startedByLine(env, uid)).toBe(line);
  });
});
