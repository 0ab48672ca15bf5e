// Bundle manifests (design.md, "Image bundles"): a good one parses; malformed ones are refused with the field and the reason.
import { describe, expect, it } from 'vitest';
import { ManifestError, parseBundleManifest, validateBundleManifest } from '../../src-shared/profile/index.ts';
import { bundleSizes } from '../../src-shared/layout/index.ts';

const H = (c: string) => c.repeat(64);
/** a manifest under test, edited freely into malformed shapes */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;
function good(): Loose {
  return {
    format: 1,
    name: 'iios-demo',
    version: '2026.11.1',
    arch: 'x86_64',
    kernel: 'vmlinuz',
    initrd: 'initrd.img',
    cmdline: 'console=ttyS0,115200 quiet',
    bootloader: 'systemd-bootx64.efi',
    rootfs: { kind: 'squashfs', file: 'root.squashfs', sizeBytes: 12_345_678 },
    verity: {
      hashFile: 'root.verity', rootHash: H('a'), salt: 'c6ac1259', dataBlockSize: 4096, hashBlockSize: 4096,
      hashAlgorithm: 'sha256', sizeBytes: 110_592,
    },
    files: {
      vmlinuz: { sha256: H('1'), sizeBytes: 8_247_232 },
      'initrd.img': { sha256: H('2'), sizeBytes: 7_235_711 },
      'root.squashfs': { sha256: H('3'), sizeBytes: 12_345_678 },
      'root.verity': { sha256: H('4'), sizeBytes: 110_592 },
      'systemd-bootx64.efi': { sha256: H('5'), sizeBytes: 140_891 },
    },
  };
}

function refusal(value: unknown): string {
  try {
    parseBundleManifest(typeof value === 'string' ? value : JSON.stringify(value), '/b/manifest.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ManifestError);
    return (err as Error).message;
  }
  throw new Error('the manifest was accepted');
}

const edit = (f: (m: Loose) => void) => {
  const m = good();
  f(m);
  return m;
};

describe('bundle manifest', () => {
  it('parses a good manifest, with or without verity, with build provenance', () => {
    expect(parseBundleManifest(JSON.stringify(good())).rootfs.kind).toBe('squashfs');
    expect(validateBundleManifest(edit((m) => (m.verity = null))).verity).toBeNull();
    expect(validateBundleManifest(edit((m) => (m.build = { kernelRelease: '6.1.0' }))).build).toEqual({ kernelRelease: '6.1.0' });
  });

  it('gives the planner its sizes', () => {
    expect(bundleSizes(validateBundleManifest(good()))).toEqual({
      rootfsKind: 'squashfs', rootfsBytes: 12_345_678, verityBytes: 110_592, arch: 'x86_64',
      bootBytes: { bootloader: 140_891, perSlot: 8_247_232 + 7_235_711 },
    });
  });

  it.each([
    [edit((m) => (m.rootfs.kind = 'ext4')), 'rootfs.kind: "ext4" is not a known rootfs kind (allowed: squashfs, erofs, btrfs-seed, raw)'],
    [edit((m) => (m.arch = 'riscv64')), 'arch: "riscv64" is not a supported architecture (allowed: x86_64, aarch64)'],
    [edit((m) => (m.format = 2)), 'format: must be 1, got number 2'],
    [edit((m) => delete m.kernel), 'kernel: is required'],
    [edit((m) => (m.verity.rootHash = 'XYZ')), 'verity.rootHash: "XYZ" is not a root hash (64 lowercase hex digits)'],
    [edit((m) => (m.files.vmlinuz.sha256 = H('a').slice(1))), `files.vmlinuz.sha256: "${H('a').slice(1)}" is not a sha256 (64 lowercase hex digits)`],
    [edit((m) => (m.verity.dataBlockSize = 1000)), 'verity.dataBlockSize: 1000 is not a block size (512…65536, a power of two)'],
    [edit((m) => (m.verity.hashAlgorithm = 'md5')), 'verity.hashAlgorithm: must be sha256, got "md5"'],
    [edit((m) => (m.rootfs.sizeBytes = -5)), 'rootfs.sizeBytes: must be at least 0, got number -5'],
    [edit((m) => (m.kernel = '../vmlinuz')), 'kernel: "../vmlinuz" is not a file name inside the bundle (relative, without "..")'],
    [edit((m) => (m.initrd = '/boot/initrd.img')), 'initrd: "/boot/initrd.img" is not a file name inside the bundle (relative, without "..")'],
    [edit((m) => (m.rootfs.compression = 'xz')), 'rootfs.compression: unknown field'],
    [edit((m) => delete m.files['root.verity']), 'verity.hashFile: "root.verity" is not listed in files (every file needs its sha256)'],
    [edit((m) => (m.rootfs.sizeBytes = 100)), 'rootfs.sizeBytes: 100 differs from files["root.squashfs"].sizeBytes (12345678)'],
    [edit((m) => (m.name = 'iios demo')), 'name: "iios demo" is not a bundle name (letters, digits, ".", "_", "-")'],
  ].map(([m, msg]) => [msg, m] as const))('refuses: %s', (message, manifest) => {
    expect(refusal(manifest)).toBe(`/b/manifest.json: ${message}`);
  });

  it('refuses text that is not JSON, and JSON that is not an object', () => {
    expect(refusal('{ "format": 1,')).toMatch(/^\/b\/manifest\.json: not valid JSON \(/);
    expect(refusal('[1]')).toBe('/b/manifest.json: expected a JSON object');
  });
});
