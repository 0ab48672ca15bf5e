// Why getting root failed, told apart from pkexec's and sudo's exit codes and messages, and what the user can do
// about each. pkexec(1): 126 when the authentication dialog was dismissed, 127 when not authorised or on any other
// error (no polkit authority on the system bus, no authentication agent): its stderr tells those apart. sudo exits
// 1 for all of its own failures: its stderr ("a terminal is required", "a password is required", "is not in the
// sudoers file", "incorrect password attempts") tells them apart. Only used while the helper has not connected:
// after that, an exit is the helper's own failure.
import type { ErrorDetailsOf } from '../../../src-shared/contract/error-details.ts';
import { elevationAdvice, elevationBothAdvice } from '../../../src-shared/errors/error-words.ts';

export type ElevationReason = ErrorDetailsOf<'elevation'>['reason'];
export type ElevationTool = 'pkexec' | 'sudo' | 'sudo-prompt';

export interface ElevationFailure {
  reason: ElevationReason;
  /** The way that was tried (for no-tool: the one that is missing), when it matters for the advice. */
  tool?: 'pkexec' | 'sudo';
  /** The tool's own last words, quoted in the advice. */
  said?: string;
  /** What happened and what to do, in the user's words. */
  message: string;
  /** Both routes failed (polkit could not prompt, then a terminal's sudo): why each did. */
  both?: { polkit: Pick<ElevationFailure, 'reason' | 'tool' | 'said'>; sudo: Pick<ElevationFailure, 'reason' | 'tool' | 'said'> };
}

export interface ToolExit {
  tool: ElevationTool;
  code: number | null;
  /** The launcher's own error message (spawn ENOENT, sudo-prompt's normalised message). */
  message?: string;
  stderr: string;
}

/** sudo-prompt's messages (node_modules/sudo-prompt/index.js). */
const SUDO_PROMPT_NO_TOOL = 'Unable to find pkexec or kdesudo.';
const SUDO_PROMPT_DENIED = 'User did not grant permission.';
const SUDO_PROMPT_NO_AGENT = 'No polkit authentication agent found.';

/** The failure as data (what crosses to the GUI, which words it in its own language) and in this process's words. */
function failure(reason: ElevationReason, said?: string, tool?: ElevationTool): ElevationFailure {
  const f = { reason, ...(said ? { said, tool: tool === 'sudo' ? ('sudo' as const) : ('pkexec' as const) } : {}) };
  return { ...f, message: elevationAdvice(f) };
}

function noTool(tool: ElevationTool): ElevationFailure {
  const f = { reason: 'no-tool' as const, tool: tool === 'sudo' ? ('sudo' as const) : ('pkexec' as const) };
  return { ...f, message: elevationAdvice(f) };
}

/** pkexec's and sudo's closing words after a refusal: they say nothing about why. */
const BOILERPLATE = /^This incident (has been|will be) reported\.?$/;

/** The tool's last line that says something (pkexec ends a refusal with "This incident has been reported."). */
function lastLine(text: string): string {
  const lines = text.trim().split('\n').map((l) => l.trim()).filter((l) => l && !BOILERPLATE.test(l));
  return lines[lines.length - 1] ?? '';
}

/** The polkit side: the same texts come from pkexec directly and from pkexec under sudo-prompt. */
function polkitReason(stderr: string): ElevationReason | null {
  if (/Error getting authority|Error initializing authority|Could not connect|org\.freedesktop\.PolicyKit1 was not provided/i.test(stderr)) return 'no-authority';
  if (/No authentication agent found/i.test(stderr)) return 'no-agent';
  if (/Request dismissed|dismissed/i.test(stderr)) return 'dismissed';
  if (/Not authorized|AUTHENTICATION FAILED/i.test(stderr)) return 'not-authorized';
  return null;
}

function sudoReason(stderr: string): ElevationReason | null {
  if (/a terminal is required|a password is required|no tty present|askpass/i.test(stderr)) return 'needs-password';
  if (/is not in the sudoers file|is not allowed to (execute|run)|may not run sudo|incorrect password attempt/i.test(stderr)) return 'not-authorized';
  return null;
}

/**
 * Why the elevation tool gave up, or null when the tool started the helper (its exit is the helper's own). Call it
 * only for an exit before the helper connected.
 */
export function classifyElevationExit(exit: ToolExit): ElevationFailure | null {
  const said = lastLine(exit.stderr) || undefined;
  if (exit.code === 0) return null;
  if (/ENOENT/.test(exit.message ?? '') || exit.message === SUDO_PROMPT_NO_TOOL) return noTool(exit.tool);
  if (exit.tool === 'sudo') {
    const r = sudoReason(exit.stderr);
    if (r) return failure(r, said, exit.tool);
    // Ctrl-C at sudo's prompt ends it with 1 and nothing said.
    if (exit.code === 1 && !said) return failure('dismissed');
    return null;
  }
  if (exit.message === SUDO_PROMPT_NO_AGENT) return failure('no-agent', said, exit.tool);
  const r = polkitReason(exit.stderr);
  if (r) return failure(r, said, exit.tool);
  if (exit.code === 126) return failure('dismissed');
  if (exit.code === 127) return failure('not-authorized', said, exit.tool);
  // sudo-prompt's word for "never elevated" when pkexec's reason is unknown: the prompt was refused.
  if (exit.tool === 'sudo-prompt' && exit.message === SUDO_PROMPT_DENIED) return failure('dismissed');
  return null;
}

/** pkexec could not even ask: the cases where a terminal's sudo is the way out. */
export function polkitCannotPrompt(f: ElevationFailure | null | undefined): boolean {
  return f?.reason === 'no-tool' || f?.reason === 'no-authority' || f?.reason === 'no-agent';
}

/** Both routes failed: say both, so the user sees each way out. */
export function bothFailed(polkit: ElevationFailure, sudo: ElevationFailure): ElevationFailure {
  const reason = sudo.reason === 'no-tool' ? polkit.reason : sudo.reason;
  const part = (f: ElevationFailure) => ({ reason: f.reason, ...(f.tool ? { tool: f.tool } : {}), ...(f.said ? { said: f.said } : {}) });
  return { reason, message: elevationBothAdvice(polkit, sudo), both: { polkit: part(polkit), sudo: part(sudo) } };
}
