// The pure parts of the QEMU runner: reading the verdict off serial output, recognising dead ends,
// the argument array, and finding OVMF.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deadEnd, findOvmf, findVerdict, qemuArgs } from '../../src-main/services/stick/qemu-boot.ts';

describe('findVerdict', () => {
  it('parses the READY line into fields, also when a kernel message shares its line', () => {
    const serial = [
      '[    6.9] BTRFS info (device vda6): using free space tree\r',
      '[    7.1] random: crng init done IIOS-READY slot=a mode=ab verity=ok boots=12 hostname=class-01\r',
      '[    7.3] reboot: Power down\r',
      '',
    ].join('\n');
    const v = findVerdict(serial);
    expect(v.readyLine).toBe('IIOS-READY slot=a mode=ab verity=ok boots=12 hostname=class-01');
    expect(v.ready).toEqual({ slot: 'a', mode: 'ab', verity: 'ok', boots: '12', hostname: 'class-01' });
    expect(v.failLine).toBeNull();
  });

  it('reports the FAIL line and no READY', () => {
    const v = findVerdict('iios: slot a refused: verity-mismatch\nIIOS-FAIL slot=a reason=verity-mismatch\n');
    expect(v).toEqual({ readyLine: null, ready: null, failLine: 'IIOS-FAIL slot=a reason=verity-mismatch' });
  });

  it('keeps the first READY line when there are several', () => {
    const v = findVerdict('IIOS-READY slot=a mode=ab verity=ok boots=1 hostname=x\nIIOS-READY slot=b mode=ab verity=ok boots=2 hostname=y\n');
    expect(v.ready?.slot).toBe('a');
  });

  it('finds nothing in a boot that never got there', () => {
    expect(findVerdict('[    0.0] Linux version 6.1\n')).toEqual({ readyLine: null, ready: null, failLine: null });
  });
});

describe('deadEnd', () => {
  it('recognises the firmware shell and a kernel panic, nothing else', () => {
    expect(deadEnd('BdsDxe: starting Boot0002 "EFI Internal Shell" from Fv(7CB8)')).toMatch(/shell/);
    expect(deadEnd('[ 2.1] Kernel panic - not syncing: Attempted to kill init!')).toBe('kernel panic');
    expect(deadEnd('BdsDxe: starting Boot0001 "UEFI Misc Device" from PciRoot(0x0)/Pci(0x1,0x0)')).toBeNull();
  });
});

describe('qemuArgs', () => {
  it('direct kernel boot: TCG, virtio disk, serial on stdio, kernel/initrd/append, no firmware', () => {
    const args = qemuArgs({ disk: '/tmp/d.img', kernel: '/b/vmlinuz', initrd: '/b/initrd.img', append: 'console=ttyS0,115200 iios.slot=a' }, null, null);
    expect(args.slice(0, 2)).toEqual(['-accel', 'tcg']);
    expect(args).not.toContain('kvm');
    expect(args).toContain('file=/tmp/d.img,format=raw,if=virtio,cache=unsafe');
    expect(args[args.indexOf('-serial') + 1]).toBe('stdio');
    expect(args[args.indexOf('-kernel') + 1]).toBe('/b/vmlinuz');
    expect(args[args.indexOf('-initrd') + 1]).toBe('/b/initrd.img');
    expect(args[args.indexOf('-append') + 1]).toBe('console=ttyS0,115200 iios.slot=a');
    expect(args.some((a) => a.includes('pflash'))).toBe(false);
  });

  it('UEFI boot: read-only firmware code and the per-boot copy of the variables', () => {
    const args = qemuArgs({ disk: '/tmp/d.img', uefi: true }, '/tmp/x/VARS.fd', { code: '/o/CODE.fd', vars: '/o/VARS.fd' });
    expect(args).toContain('if=pflash,format=raw,unit=0,readonly=on,file=/o/CODE.fd');
    expect(args).toContain('if=pflash,format=raw,unit=1,file=/tmp/x/VARS.fd');
    expect(args).not.toContain('-kernel');
  });
});

describe('findOvmf', () => {
  it('prefers the 4M pair, falls back to the 2M pair, and fails clearly when there is none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iios-ovmf-'));
    try {
      expect(() => findOvmf(dir)).toThrow(/no OVMF firmware/);
      await writeFile(join(dir, 'OVMF_CODE.fd'), '');
      await writeFile(join(dir, 'OVMF_VARS.fd'), '');
      expect(findOvmf(dir)).toEqual({ code: join(dir, 'OVMF_CODE.fd'), vars: join(dir, 'OVMF_VARS.fd') });
      await writeFile(join(dir, 'OVMF_CODE_4M.fd'), '');
      await writeFile(join(dir, 'OVMF_VARS_4M.fd'), '');
      expect(findOvmf(dir)).toEqual({ code: join(dir, 'OVMF_CODE_4M.fd'), vars: join(dir, 'OVMF_VARS_4M.fd') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
