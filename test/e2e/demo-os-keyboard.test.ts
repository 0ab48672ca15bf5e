// The demo OS on a real PC: someone at the screen types on a USB keyboard. QEMU gives the guest an xHCI
// controller with a USB keyboard and no serial input; keys are pressed through QEMU's monitor. The command typed
// at the screen's shell (tty1) writes to the serial port, so seeing its result there proves the USB HID modules
// load, tty1 has a shell, and the keyboard reaches it. Its arithmetic makes the typed text differ from the result.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { makeAbDisk, type BundleFiles } from './demo-os-disk.ts';

const isRoot = process.getuid?.() === 0;

/** QEMU `sendkey` names for the characters of a shell line. */
function keysFor(line: string): string[] {
  const shifted: Record<string, string> = { '$': '4', '(': '9', ')': '0', '*': '8', '>': 'dot', '_': 'minus', '"': 'apostrophe' };
  const plain: Record<string, string> = { ' ': 'spc', '/': 'slash', '-': 'minus', '.': 'dot', '=': 'equal', '\n': 'ret' };
  return [...line].map((c) => {
    if (/[a-z0-9]/.test(c)) return c;
    if (/[A-Z]/.test(c)) return `shift-${c.toLowerCase()}`;
    if (shifted[c]) return `shift-${shifted[c]}`;
    if (plain[c]) return plain[c];
    throw new Error(`no key for ${JSON.stringify(c)}`);
  });
}

describe.skipIf(!isRoot)('demo OS at a screen with a USB keyboard', () => {
  let work = '';
  let bundle: BundleFiles & { kernel: string; initrd: string; cmdline: string };

  beforeAll(async () => {
    const dir = await ensureDemoBundle();
    const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
      kernel: string; initrd: string; cmdline: string; rootfs: { file: string }; verity: { hashFile: string; rootHash: string };
    };
    bundle = { dir, rootfs: m.rootfs.file, hashFile: m.verity.hashFile, rootHash: m.verity.rootHash, kernel: m.kernel, initrd: m.initrd, cmdline: m.cmdline };
    work = await mkdtemp(join(tmpdir(), 'iios-demo-kbd-'));
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('a line typed on the USB keyboard at tty1 runs in the shell there', async () => {
    const disk = await makeAbDisk(join(work, 'kbd.img'), bundle, {
      hostname: 'screen-01', profile: 'appliance', slots: { a: { rootHash: bundle.rootHash } }, entries: ['iios-a+3.conf'],
    });
    const monitor = join(work, 'monitor.sock');
    const append = [bundle.cmdline, 'iios.mode=ab', 'iios.slot=a', `iios.roothash=${bundle.rootHash}`, 'iios.root=PARTLABEL=iios-root-a',
      'iios.verity=PARTLABEL=iios-verity-a', 'iios.data=PARTLABEL=iios-data'].join(' ');
    const qemu = execa('qemu-system-x86_64', [
      '-accel', 'tcg', '-machine', 'q35', '-m', '512', '-smp', '1', '-display', 'none', '-nodefaults', '-no-reboot',
      '-serial', 'stdio', '-monitor', `unix:${monitor},server,nowait`,
      '-device', 'qemu-xhci', '-device', 'usb-kbd',
      '-drive', `file=${disk.path},format=raw,if=virtio,cache=unsafe`,
      '-kernel', join(bundle.dir, bundle.kernel), '-initrd', join(bundle.dir, bundle.initrd), '-append', append,
    ], { stdin: 'ignore', reject: false, buffer: false, encoding: 'utf8' });
    let serial = '';
    const seen = (re: RegExp, ms: number) => new Promise<boolean>((resolve) => {
      const started = Date.now();
      const tick = setInterval(() => {
        if (re.test(serial) || Date.now() - started > ms) {
          clearInterval(tick);
          resolve(re.test(serial));
        }
      }, 200);
    });
    qemu.stdout!.on('data', (c: Buffer | string) => { serial += c.toString(); });
    try {
      expect(await seen(/IIOS-READY [^\n]*\n/, 150_000), serial.slice(-3000)).toBe(true);
      expect(serial).toMatch(/input: QEMU QEMU USB Keyboard/);
      // the shell on tty1 starts right after READY; give it a moment before typing
      await new Promise((r) => setTimeout(r, 3000));
      const sock = connect(monitor);
      await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
      for (const key of keysFor('echo KBD-$((6*7))-$(hostname) >/dev/ttyS0\n')) {
        sock.write(`sendkey ${key}\n`);
        await new Promise((r) => setTimeout(r, 60));
      }
      const typed = await seen(/KBD-42-screen-01/, 30_000);
      sock.write('quit\n');
      sock.end();
      expect(typed, serial.slice(-2000)).toBe(true);
    } finally {
      qemu.kill('SIGKILL');
      await qemu;
    }
  }, 240_000);
});
