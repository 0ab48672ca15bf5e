// The initramfs's kernel modules from modules.dep: captured from Debian bookworm's linux-image 6.1.0-57-amd64
// (the lines of fs/, md/, block/, virtio/, usb storage, crypto/, lib/ and everything they depend on) and its
// modules.builtin.
import { describe, expect, it } from 'vitest';
import { moduleClosure, moduleName, parseModulesDep } from '../../src-main/services/bundles/module-closure.ts';
import { readFixture } from './fixtures/read-fixture.ts';

const dep = readFixture<string>('modules/modules.dep-6.1.0-57-amd64');
const builtin = readFixture<string>('modules/modules.builtin-6.1.0-57-amd64');

describe('moduleName', () => {
  it.each([
    ['kernel/fs/nls/nls_iso8859-1.ko', 'nls_iso8859_1'],
    ['kernel/drivers/md/dm-verity.ko.xz', 'dm_verity'],
    ['kernel/arch/x86/crypto/crc32c-intel.ko.zst', 'crc32c_intel'],
    ['kernel/fs/btrfs/btrfs.ko', 'btrfs'],
  ])('%s -> %s', (path, name) => expect(moduleName(path)).toBe(name));
});

describe('moduleClosure over a captured modules.dep', () => {
  it('parses every line, modules without dependencies included', () => {
    const parsed = parseModulesDep(dep);
    expect(parsed.get('kernel/fs/overlayfs/overlay.ko')).toEqual([]);
    expect(parsed.get('kernel/fs/fat/vfat.ko')).toEqual(['kernel/fs/fat/fat.ko']);
  });

  it.each<[string[], string[]]>([
    [['btrfs'], ['kernel/crypto/xor.ko', 'kernel/fs/btrfs/btrfs.ko', 'kernel/lib/libcrc32c.ko', 'kernel/lib/raid6/raid6_pq.ko', 'kernel/lib/zstd/zstd_compress.ko']],
    [['dm_verity'], ['kernel/drivers/md/dm-bufio.ko', 'kernel/drivers/md/dm-mod.ko', 'kernel/drivers/md/dm-verity.ko', 'kernel/lib/reed_solomon/reed_solomon.ko']],
    [['dm-verity', 'dm_mod'], ['kernel/drivers/md/dm-bufio.ko', 'kernel/drivers/md/dm-mod.ko', 'kernel/drivers/md/dm-verity.ko', 'kernel/lib/reed_solomon/reed_solomon.ko']],
    [['vfat', 'nls_iso8859-1'], ['kernel/fs/fat/fat.ko', 'kernel/fs/fat/vfat.ko', 'kernel/fs/nls/nls_iso8859-1.ko']],
    [['virtio_blk'], ['kernel/drivers/block/virtio_blk.ko', 'kernel/drivers/virtio/virtio.ko', 'kernel/drivers/virtio/virtio_ring.ko']],
    [['squashfs', 'erofs', 'overlay'], ['kernel/fs/erofs/erofs.ko', 'kernel/fs/overlayfs/overlay.ko', 'kernel/fs/squashfs/squashfs.ko', 'kernel/lib/libcrc32c.ko']],
  ])('%j -> its files and their dependencies, each once', (wanted, files) => {
    const c = moduleClosure(wanted, dep, builtin);
    expect(c.files).toEqual(files);
    expect(c.missing).toEqual([]);
  });

  // depmod writes the whole closure on each line already; the recursion matters for hand-made or partial files
  it('takes every dependency uas has (usb-storage, scsi, usbcore, usb-common)', () => {
    const c = moduleClosure(['uas'], dep, builtin);
    expect(c.files).toEqual(expect.arrayContaining(['kernel/drivers/usb/storage/usb-storage.ko', 'kernel/drivers/usb/core/usbcore.ko', 'kernel/drivers/usb/common/usb-common.ko', 'kernel/drivers/scsi/scsi_mod.ko']));
    expect(new Set(c.files).size).toBe(c.files.length);
  });

  it('tells built-in from missing', () => {
    const c = moduleClosure(['binfmt_script', 'no_such_module', 'overlay'], dep, builtin);
    expect(c.builtin).toEqual(['binfmt_script']);
    expect(c.missing).toEqual(['no_such_module']);
    expect(c.files).toEqual(['kernel/fs/overlayfs/overlay.ko']);
  });
});
