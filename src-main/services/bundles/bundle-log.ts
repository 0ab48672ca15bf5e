// The progress lines of making a bundle (`iios bundle create`: staging its source, unpacking container layers,
// its kernel, initramfs and root image), typed: the services say what happened with its names and numbers, and
// the CLI says it in the reader's language (src-main/cli/bundle-words.ts bundleLogWords).

export type BundleLog =
  /** debian:SUITE: the tree mmdebstrap made before, reused. */
  | { key: 'debian-cached'; suite: string; root: string }
  /** debian:SUITE: mmdebstrap makes the tree, downloading from Debian's archive. */
  | { key: 'debian-mmdebstrap'; suite: string; packages: string[] }
  | { key: 'copying'; path: string }
  /** A container image fetched with skopeo. */
  | { key: 'fetching'; ref: string }
  /** One container layer unpacked (n of count). */
  | { key: 'layer'; n: number; count: number; digest: string; bytes: number }
  | { key: 'devices-skipped'; count: number }
  | { key: 'aufs-ignored'; path: string }
  | { key: 'device-skipped'; path: string }
  | { key: 'entry-skipped'; path: string; type: string }
  | { key: 'kernel'; release: string }
  /** What iios added to a systemd system (its units and files). */
  | { key: 'additions'; added: string[] }
  | { key: 'no-systemd' }
  | { key: 'initramfs' }
  | { key: 'modules-missing'; release: string; modules: string[] }
  | { key: 'root-image'; kind: string };

export type BundleLogger = (line: BundleLog) => void;
