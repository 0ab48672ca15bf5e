// Boots an iios disk in QEMU (TCG only) and watches the serial console for the demo OS's one-line verdict:
// `IIOS-READY slot=… mode=… verity=… boots=… hostname=…` or `IIOS-FAIL slot=… reason=…`.
// Shared by the demo OS tests, the write engine's full-stick boot tests and `iios demo`.
// QEMU is always gone when the promise settles (powered off by the guest, or killed on verdict/timeout/abort).
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { startTool } from '../run-tool.ts';

export interface BootOptions {
  /** Raw disk image or block device, attached as a virtio disk. */
  disk: string;
  /** Direct kernel boot (skips firmware and bootloader): kernel, initrd and command line. */
  kernel?: string;
  initrd?: string;
  append?: string;
  /** Boot through OVMF (UEFI) from the disk's ESP. Ignored when `kernel` is given. */
  uefi?: boolean;
  /** Whole boot budget; QEMU is killed when it runs out. Default 120 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Guest memory, MiB. Default 512. */
  memoryMb?: number;
  /** Called with each chunk of serial output as it arrives (progress display, debugging). */
  onSerial?: (text: string) => void;
}

export interface BootResult {
  readyLine: string | null;
  ready: Record<string, string> | null;
  failLine: string | null;
  serial: string;
  /** True when QEMU was killed because the time budget ran out before it stopped on its own. */
  timedOut: boolean;
  /** Why the boot was cut short without a verdict (firmware fell back to its shell, kernel panic), if it was. */
  deadEnd: string | null;
  /** From QEMU's start until it stopped (the verdict, then the guest's power-off or the grace after it). */
  elapsedMs: number;
  /** From QEMU's start until the verdict line arrived: the boot's own time, without the power-off after it. */
  verdictAtMs: number | null;
}

/** How long QEMU may take to power off by itself after the verdict line before it is killed. */
const GRACE_AFTER_VERDICT_MS = 5_000;
const KILL_ESCALATION_MS = 3_000;
/** After a dead end is seen, a moment more of serial output (the panic's backtrace) before QEMU is killed. */
const DEAD_END_GRACE_MS = 2_000;

const DEAD_ENDS: Array<[RegExp, string]> = [
  [/BdsDxe: starting Boot[0-9A-F]+ "EFI Internal Shell"/, 'firmware found no bootable ESP and started its shell'],
  [/Kernel panic - not syncing/, 'kernel panic'],
];

/** Recognises serial output after which no IIOS verdict can follow. */
export function deadEnd(serial: string): string | null {
  for (const [pattern, why] of DEAD_ENDS) if (pattern.test(serial)) return why;
  return null;
}

export interface OvmfFiles {
  code: string;
  vars: string;
}

/** The OVMF firmware pair on this host (Debian's 4 MiB build first, then the 2 MiB one). */
export function findOvmf(dir = '/usr/share/OVMF'): OvmfFiles {
  const pairs: Array<[string, string]> = [
    ['OVMF_CODE_4M.fd', 'OVMF_VARS_4M.fd'],
    ['OVMF_CODE.fd', 'OVMF_VARS.fd'],
  ];
  for (const [code, vars] of pairs) {
    if (existsSync(join(dir, code)) && existsSync(join(dir, vars))) {
      return { code: join(dir, code), vars: join(dir, vars) };
    }
  }
  throw new Error(`iios: no OVMF firmware in ${dir} (install the "ovmf" package)`);
}

/** Parses the key=value fields of the first IIOS-READY line in `text` (null if there is none). */
export function findVerdict(text: string): { readyLine: string | null; ready: Record<string, string> | null; failLine: string | null } {
  let readyLine: string | null = null;
  let failLine: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r/g, '');
    // Kernel messages may share a line with ours: take the text from our marker to the end of the line.
    const r = line.indexOf('IIOS-READY ');
    if (readyLine === null && r >= 0) readyLine = line.slice(r).trim();
    const f = line.indexOf('IIOS-FAIL ');
    if (failLine === null && f >= 0) failLine = line.slice(f).trim();
  }
  return { readyLine, ready: readyLine === null ? null : parseFields(readyLine), failLine };
}

function parseFields(line: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const token of line.split(/\s+/).slice(1)) {
    const eq = token.indexOf('=');
    if (eq > 0) fields[token.slice(0, eq)] = token.slice(eq + 1);
  }
  return fields;
}

/** The qemu-system-x86_64 argument array for one boot (exported for tests and `iios demo --dry-run`). */
export function qemuArgs(opts: BootOptions, varsCopy: string | null, ovmf: OvmfFiles | null): string[] {
  const args = [
    '-accel', 'tcg',
    '-machine', 'q35',
    '-m', String(opts.memoryMb ?? 512),
    '-smp', '1',
    '-display', 'none',
    '-monitor', 'none',
    '-serial', 'stdio',
    '-no-reboot',
    '-nodefaults',
    '-drive', `file=${opts.disk},format=raw,if=virtio,cache=unsafe`,
  ];
  if (opts.kernel) {
    args.push('-kernel', opts.kernel);
    if (opts.initrd) args.push('-initrd', opts.initrd);
    if (opts.append) args.push('-append', opts.append);
  } else if (opts.uefi) {
    if (!ovmf || !varsCopy) throw new Error('iios: UEFI boot needs OVMF firmware');
    args.push(
      '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${ovmf.code}`,
      '-drive', `if=pflash,format=raw,unit=1,file=${varsCopy}`,
    );
  }
  return args;
}

export async function bootUntilReady(opts: BootOptions): Promise<BootResult> {
  if (!opts.kernel && !opts.uefi) throw new Error('iios: bootUntilReady needs a kernel or uefi: true');
  if (opts.signal?.aborted) throw abortError();
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'iios-qemu-'));
  let child: ResultPromise | null = null;
  const killChild = () => killQemu(child);
  process.once('exit', killChild);
  try {
    let ovmf: OvmfFiles | null = null;
    let varsCopy: string | null = null;
    if (!opts.kernel && opts.uefi) {
      ovmf = findOvmf();
      varsCopy = join(workDir, 'OVMF_VARS.fd');
      copyFileSync(ovmf.vars, varsCopy);
    }
    child = startTool('qemu-system-x86_64', qemuArgs(opts, varsCopy, ovmf), {
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      reject: false,
      buffer: false,
      encoding: 'utf8',
    });
    const running = child;
    let serial = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    let graceTimer: NodeJS.Timeout | null = null;
    let stuck: string | null = null;
    let verdictAtMs: number | null = null;

    running.stdout?.on('data', (chunk: Buffer | string) => {
      const text = chunk.toString();
      serial += text;
      opts.onSerial?.(text);
      if (graceTimer === null && /IIOS-(READY|FAIL) [^\n]*\n/.test(serial)) {
        // The verdict is in; the guest has synced before printing it. Give it time to power off, then stop it.
        verdictAtMs = Date.now() - started;
        graceTimer = setTimeout(() => killQemu(running), GRACE_AFTER_VERDICT_MS);
      } else if (graceTimer === null && (stuck = deadEnd(serial)) !== null) {
        // No verdict will ever come (no bootloader found, kernel panic): stop now instead of at the timeout.
        graceTimer = setTimeout(() => killQemu(running), DEAD_END_GRACE_MS);
      }
    });
    running.stderr?.on('data', (chunk: Buffer | string) => {
      stderr += chunk.toString();
    });

    const budget = setTimeout(() => {
      timedOut = true;
      killQemu(running);
    }, opts.timeoutMs ?? 120_000);
    const onAbort = () => {
      aborted = true;
      killQemu(running);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const result = await running;
    clearTimeout(budget);
    if (graceTimer) clearTimeout(graceTimer);
    opts.signal?.removeEventListener('abort', onAbort);
    child = null;

    if (aborted) throw abortError();
    const verdict = findVerdict(serial);
    if (verdict.readyLine === null && verdict.failLine === null && !timedOut && result.exitCode !== 0) {
      throw new Error(`iios: qemu-system-x86_64 failed (exit ${result.exitCode}): ${stderr.trim() || 'no output'}`);
    }
    return { ...verdict, serial, timedOut, deadEnd: stuck, elapsedMs: Date.now() - started, verdictAtMs };
  } finally {
    killQemu(child);
    process.removeListener('exit', killChild);
    rmSync(workDir, { recursive: true, force: true });
  }
}

function killQemu(child: ResultPromise | null): void {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const hard = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, KILL_ESCALATION_MS);
  hard.unref();
}

function abortError(): Error {
  const err = new Error('iios: QEMU boot cancelled');
  err.name = 'AbortError';
  return err;
}
