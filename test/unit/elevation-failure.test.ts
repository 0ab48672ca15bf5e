import { describe, expect, it } from 'vitest';
import { bothFailed, classifyElevationExit, type ToolExit } from '../../src-main/services/elevation/elevation-failure.ts';

// The texts are what pkexec (polkit 122, Debian 12) and sudo 1.9.13 print; the first two were captured on this
// machine as an unprivileged user (no system bus; no sudoers entry).
const cases: [string, ToolExit, string | null][] = [
  ['pkexec, no system bus', { tool: 'pkexec', code: 127, stderr: 'Error getting authority: Error initializing authority: Could not connect: No such file or directory\n' }, 'no-authority'],
  ['pkexec, no agent', { tool: 'pkexec', code: 127, stderr: 'Error executing command as another user: No authentication agent found.\n' }, 'no-agent'],
  ['pkexec, denied by a rule', { tool: 'pkexec', code: 127, stderr: 'Error executing command as another user: Not authorized\n\nThis incident has been reported.\n' }, 'not-authorized'],
  ['pkexec, dismissed', { tool: 'pkexec', code: 126, stderr: 'Error executing command as another user: Request dismissed\n' }, 'dismissed'],
  ['pkexec, 126 silently', { tool: 'pkexec', code: 126, stderr: '' }, 'dismissed'],
  ['pkexec, no session for cookie', { tool: 'pkexec', code: 127, stderr: 'polkit-agent-helper-1: error response to PolicyKit daemon: GDBus.Error:org.freedesktop.PolicyKit1.Error.Failed: No session for cookie\n==== AUTHENTICATION FAILED ===\nError executing command as another user: Not authorized\n' }, 'not-authorized'],
  ['pkexec missing', { tool: 'pkexec', code: null, message: 'spawn /usr/bin/pkexec ENOENT', stderr: '' }, 'no-tool'],
  ['helper under pkexec exits 1', { tool: 'pkexec', code: 1, stderr: 'iios helper: bad job\n' }, null],
  ['sudo-prompt, no pkexec', { tool: 'sudo-prompt', code: null, message: 'Unable to find pkexec or kdesudo.', stderr: '' }, 'no-tool'],
  ['sudo-prompt, no agent', { tool: 'sudo-prompt', code: 127, message: 'No polkit authentication agent found.', stderr: 'Error executing command as another user: No authentication agent found.\n' }, 'no-agent'],
  ['sudo-prompt, no authority', { tool: 'sudo-prompt', code: 127, message: 'User did not grant permission.', stderr: 'Error getting authority: Error initializing authority: Could not connect: No such file or directory\n' }, 'no-authority'],
  ['sudo-prompt, dismissed', { tool: 'sudo-prompt', code: 126, message: 'User did not grant permission.', stderr: '' }, 'dismissed'],
  ['sudo, no terminal', { tool: 'sudo', code: 1, stderr: 'sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper\nsudo: a password is required\n' }, 'needs-password'],
  ['sudo -n', { tool: 'sudo', code: 1, stderr: 'sudo: a password is required\n' }, 'needs-password'],
  ['sudo, not in sudoers', { tool: 'sudo', code: 1, stderr: 'iiosuser is not in the sudoers file.  This incident will be reported.\n' }, 'not-authorized'],
  ['sudo, wrong password three times', { tool: 'sudo', code: 1, stderr: 'Sorry, try again.\nSorry, try again.\nsudo: 3 incorrect password attempts\n' }, 'not-authorized'],
  ['sudo, Ctrl-C at the prompt', { tool: 'sudo', code: 1, stderr: '' }, 'dismissed'],
  ['sudo missing', { tool: 'sudo', code: null, message: 'Command failed with ENOENT: sudo -n -- node', stderr: '' }, 'no-tool'],
  ['helper under sudo exits 2', { tool: 'sudo', code: 2, stderr: 'iios helper: failed\n' }, null],
];

describe('classifyElevationExit', () => {
  it.each(cases)('%s', (_name, exit, reason) => {
    expect(classifyElevationExit(exit)?.reason ?? null).toBe(reason);
  });

  it('says what to do: the polkit failures name sudo as the way out, and nothing was written', () => {
    const agent = classifyElevationExit(cases[1]![1])!;
    expect(agent.message).toMatch(/start iios from your desktop session/);
    expect(agent.message).toMatch(/`sudo`/);
    expect(agent.message).toMatch(/Nothing was written/);
    expect(classifyElevationExit(cases[0]![1])!.message).toMatch(/polkitd/);
  });

  it("quotes the tool's line that says why, not pkexec's closing \"This incident has been reported.\"", () => {
    const denied = classifyElevationExit(cases[2]![1])!;
    expect(denied.message).toContain('(pkexec said: "Error executing command as another user: Not authorized")');
    expect(denied.message).not.toMatch(/incident/);
  });

  it('names both ways out when neither polkit nor sudo can be used', () => {
    const polkit = classifyElevationExit({ tool: 'pkexec', code: null, message: 'spawn /usr/bin/pkexec ENOENT', stderr: '' })!;
    const sudo = classifyElevationExit({ tool: 'sudo', code: null, message: 'spawn sudo ENOENT', stderr: '' })!;
    const both = bothFailed(polkit, sudo);
    expect(both.reason).toBe('no-tool');
    expect(both.message).toMatch(/apt install pkexec/);
    expect(both.message).toMatch(/apt install sudo/);
  });
});
